// `floodgate serve` as a user runs it: the ready line, startup failures, signals, and the cluster's
// restart of a killed worker. Each test stops every process it starts.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { runCli } from '../helpers/cli.js'
import { READY, exited, serve, stop, workerPids } from './cli-helpers.js'
import { call, fixture, score, startMockApi } from './helpers.js'

for (const workers of ['1', '2']) {
  test(`bad flow folder (--workers ${workers}): exits 1 with the validation message, leaves no server`, async () => {
    // runCli resolves on 'close', i.e. once every process holding its output (workers too) has exited.
    const r = await runCli(['serve', fixture('bad'), '--port', '0', '--workers', workers])
    assert.equal(r.code, 1)
    assert.doesNotMatch(r.stdout, READY)
    assert.match(r.stderr, /^floodgate: .*bad[/\\]flow\.dag\.yaml.*nowhere/m)
  })

  test(`port already in use (--workers ${workers}): a clear message naming the port`, async (t) => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    t.after(() => new Promise<void>((resolve) => blocker.close(() => resolve())))
    const port = (blocker.address() as { port: number }).port
    const r = await runCli(['serve', fixture('wait'), '--port', String(port), '--workers', workers])
    assert.equal(r.code, 1)
    assert.match(r.stderr, new RegExp(`^floodgate: port ${port} on 127\\.0\\.0\\.1 is already in use; stop the other server or choose another --port$`, 'm'))
  })
}

test('bad flag values exit 2 naming the flag', async () => {
  const r = await runCli(['serve', fixture('wait'), '--workers', '0'])
  assert.equal(r.code, 2)
  assert.match(r.stderr, /--workers <n>.*expected a whole number of at least 1, got "0"/)
  const env = await runCli(['serve', fixture('wait'), '--port', '0'], { env: { PROMPTFLOW_WORKER_NUM: 'many' } })
  assert.equal(env.code, 2)
  assert.match(env.stderr, /^floodgate: environment variable PROMPTFLOW_WORKER_NUM must be a whole number of at least 1, got "many"$/m)
})

test('--workers 1: SIGTERM with runs in flight lets them finish, then exits 0', async (t) => {
  const { child, url, output } = await serve([fixture('wait'), '--port', '0', '--workers', '1', '--threads', '1'])
  t.after(() => stop(child))
  const inFlight = [score(url, { ms: 1500, tag: 'a' }), score(url, { ms: 1500, tag: 'b' })]
  await sleep(300)
  child.kill('SIGTERM')
  const answers = await Promise.all(inFlight)
  for (const a of answers) assert.equal(a.status, 200, a.text)
  assert.deepEqual(answers.map((a) => (a.body as { tag: string }).tag), ['a', 'b'])
  const { code } = await exited(child)
  assert.equal(code, 0, output())
  const lines = output()
    .split('\n')
    .filter((l) => l.includes('"msg":"request"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
  assert.equal(lines.length, 2, 'one log line per request')
  for (const line of lines) {
    assert.equal(line.method, 'POST')
    assert.equal(line.url, '/score')
    assert.equal(line.status, 200)
    assert.match(String(line.reqId), /^[0-9a-f-]{36}$/)
    assert.ok(Number(line.ms) >= 1500, `ms ${String(line.ms)}`)
  }
})

test('cluster: the study flow answers in about 1.25 s; a SIGKILLed worker is restarted; SIGTERM drains and exits 0', async (t) => {
  const mock = await startMockApi(1000)
  t.after(() => mock.close())
  const example = new URL('../../examples/promptflow-serve/static_async', import.meta.url).pathname
  const { child, url, output } = await serve([example, '--port', '0', '--workers', '2', '--threads', '1', '--log-level', 'debug'], { MOCK_API_ENDPOINT: mock.url })
  t.after(() => stop(child))

  const started = performance.now()
  const first = await score(url, { question: 'hi', chat_history: [] })
  const elapsed = performance.now() - started
  assert.equal(first.status, 200, first.text)
  const answer = (first.body as { answer: { type: string; total_time_sec: number } }).answer
  assert.equal(answer.type, 'pf_dag_async')
  assert.equal(answer.total_time_sec, 1)
  assert.ok(elapsed >= 1200 && elapsed < 3000, `answered in ${elapsed} ms`)

  const pids = workerPids(output())
  assert.equal(pids.length, 2)
  process.kill(pids[0], 'SIGKILL')
  // Wait until the primary has seen the death: a connection the dying worker accepted in its last
  // instant is reset with it.
  for (let i = 0; i < 100 && !/worker exited unexpectedly/.test(output()); i++) await sleep(50)
  // The other worker keeps answering while the primary restarts the dead one.
  const during = await call(`${url}/health`)
  assert.equal(during.status, 200)
  for (let i = 0; i < 100 && workerPids(output()).length < 3; i++) await sleep(100)
  assert.equal(workerPids(output()).length, 3, `no restart seen:\n${output()}`)
  assert.match(output(), /"signal":"SIGKILL".*"msg":"worker exited unexpectedly; restarting it"/)
  const statuses = await Promise.all(Array.from({ length: 6 }, () => call(`${url}/health`).then((r) => r.status)))
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200])

  // /metrics sums every worker: the count of /health answers includes the ones served by either worker.
  const metrics = await call(`${url}/metrics`)
  const healthCount = Number(/floodgate_http_requests_total\{route="\/health",status="200"\} (\d+)/.exec(metrics.text)?.[1])
  assert.ok(healthCount >= 6, `aggregated /health count ${healthCount}`)

  const inFlight = [score(url, { question: 'a' }), score(url, { question: 'b' }), score(url, { question: 'c' })]
  await sleep(300)
  child.kill('SIGTERM')
  const answers = await Promise.all(inFlight)
  for (const a of answers) assert.equal(a.status, 200, a.text)
  const { code } = await exited(child)
  assert.equal(code, 0, output())
})
