// Faults a tool's code raises where nothing can catch them (a promise rejected and never awaited, an
// exception thrown in a timer) fail that run, never the process: with --workers 1 and 2 the server
// stays up and the runs in flight beside the faulty one are answered as if nothing happened. A fault
// that cannot be traced to a run drains the process and hands it over to a replacement.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { exited, logLines, serve, stop } from './cli-helpers.js'
import { call, fixture, score, type JsonReply } from './helpers.js'

const IN_FLIGHT = 10

function okRuns(url: string, ms: number): Promise<JsonReply>[] {
  return Array.from({ length: IN_FLIGHT }, () => score(url, { mode: 'ok', ms }))
}

function assertAllOk(replies: JsonReply[]): void {
  assert.deepEqual(
    replies.map((r) => `${r.status} ${r.text}`),
    replies.map(() => '200 {"answer":"done ok"}')
  )
}

for (const workers of ['1', '2']) {
  test(`--workers ${workers}: a tool's unhandled rejection and timer exception fail their runs with 500 naming the node, the runs beside them and the server carry on; a fault outside any run drains the process for a replacement`, async (t) => {
    // At debug, the primary also logs the workers ready at start-up (at info only those started again).
    const { child, url, output } = await serve([fixture('faulty'), '--port', '0', '--workers', workers, '--log-level', 'debug'])
    t.after(() => stop(child))
    const beside = okRuns(url, 800)
    await sleep(200)
    const [rejected, thrown] = await Promise.all([score(url, { mode: 'reject', ms: 300 }), score(url, { mode: 'throw', ms: 300 })])
    const expected = (kind: string, message: string) => ({
      error: { code: 'UserError', message: `node "faulty" failed: ${kind} in its code: ${message}`, inner_error: { code: 'TOOL_FAILED', node: 'faulty' } }
    })
    assert.equal(rejected.status, 500, rejected.text)
    assert.deepEqual(rejected.body, expected('unhandled promise rejection', 'rejected and never awaited'))
    assert.equal(thrown.status, 500, thrown.text)
    assert.deepEqual(thrown.body, expected('uncaught exception', 'thrown in a timer'))
    assertAllOk(await Promise.all(beside))
    assert.equal(child.exitCode, null, `the server exited:\n${output()}`)
    assert.equal((await call(`${url}/health`)).status, 200)
    assert.doesNotMatch(output(), /worker exited unexpectedly/)
    // The log says which flow, node and request (the id the client got) the fault came from.
    for (const reply of [rejected, thrown]) {
      const line = logLines(output()).find((l) => l.reqId === reply.headers['x-request-id'] && l.level === 50)
      assert.ok(line, `no error line for request ${String(reply.headers['x-request-id'])}:\n${output()}`)
      assert.equal(line.flow, 'faulty')
      assert.equal(line.node, 'faulty')
      assert.match(String(line.msg), /in the code of node "faulty": its run failed; the server keeps serving$/)
    }

    // queueMicrotask drops the async scope: this fault reaches the process unattributed. The process
    // finishes the runs in flight, then exits 1: for the supervisor (--workers 1) or the primary to replace.
    const draining = okRuns(url, 800)
    await sleep(200)
    assert.equal((await score(url, { mode: 'microtask', ms: 100 })).status, 200)
    assertAllOk(await Promise.all(draining))
    assert.match(output(), /uncaught exception outside any run: the process state is unknown; it stops accepting, finishes the runs in progress and exits to be replaced/)
    if (workers === '1') {
      assert.equal((await exited(child)).code, 1, output())
      return
    }
    for (let i = 0; i < 100 && logLines(output()).filter((l) => l.msg === 'worker ready').length < 3; i++) await sleep(100)
    assert.match(output(), /"code":1,.*"msg":"worker exited unexpectedly; restarting it"/)
    assert.equal(logLines(output()).filter((l) => l.msg === 'worker ready').length, 3, output())
    assertAllOk(await Promise.all(okRuns(url, 10)))
    assert.equal(child.exitCode, null)
  })
}
