// Faults inside the server: a tool that throws, one that never returns, a sync tool that blocks past the
// timeout, a client that goes away, and overload beyond --max-concurrency + --queue.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { Agent, request } from 'undici'
import { assertServes, call, score, serveFixture } from './helpers.js'

test('a tool that throws: 500 naming the node, server still serves', async (t) => {
  const server = await serveFixture('throws')
  t.after(() => server.close())
  const res = await score(server.url, {})
  assert.equal(res.status, 500)
  const body = res.body as { error: { code: string; message: string; inner_error: { code: string; node?: string } } }
  assert.equal(body.error.code, 'UserError')
  assert.equal(body.error.inner_error.code, 'TOOL_FAILED')
  assert.equal(body.error.inner_error.node, 'explode')
  assert.match(body.error.message, /explode/)
  assert.match(body.error.message, /the tool blew up on purpose/)
  await assertServes(server.url)
})

test('a tool that never returns: 504 at the timeout, server still serves', async (t) => {
  const server = await serveFixture('hang', { timeoutSeconds: 0.5 })
  t.after(() => server.close())
  const started = performance.now()
  const res = await score(server.url, {})
  const elapsed = performance.now() - started
  assert.equal(res.status, 504)
  assert.deepEqual(res.body, {
    error: {
      code: 'SystemError',
      message: "the run did not finish within the server's timeout of 0.5 s (--timeout 0.5); it was aborted",
      inner_error: { code: 'TIMEOUT' }
    }
  })
  // At the timeout: not before it, and not long after (the deadline list's one timer, not a slow sweep).
  assert.ok(elapsed >= 450 && elapsed < 1500, `answered after ${elapsed} ms`)
  await assertServes(server.url)
  const metrics = await call(`${server.url}/metrics`)
  assert.match(metrics.text, /\nfloodgate_runs_in_progress 0\n/, 'the timed-out run gave its slot back')
})

test('a sync tool blocking past the timeout: 504 on time, the event loop stays free, the thread is freed', async (t) => {
  // One pool thread: the follow-up request can only be served if the timed-out run's thread was cancelled
  // (and replaced), not left blocked for the rest of its 10 s.
  const server = await serveFixture('block', { timeoutSeconds: 2, threads: 1 })
  t.after(() => server.close())
  const started = performance.now()
  const blocked = score(server.url, { ms: 10_000 })
  // While the pool thread is blocked, the server keeps answering.
  await sleep(100)
  const health = await call(`${server.url}/health`)
  assert.equal(health.status, 200)
  assert.ok(performance.now() - started < 1900, 'health answered while the sync tool blocked')
  const res = await blocked
  const elapsed = performance.now() - started
  assert.equal(res.status, 504)
  assert.equal((res.body as { error: { message: string } }).error.message, "the run did not finish within the server's timeout of 2 s (--timeout 2); it was aborted")
  assert.ok(elapsed < 4000, `504 after ${elapsed} ms, not after the 10 s block`)
  const metrics = await call(`${server.url}/metrics`)
  assert.match(metrics.text, /\nfloodgate_pool_running 0\n/, 'the blocked task was cancelled at the timeout')
  // The next run gets the one thread (a new one loads the tool: ~0.2 s idle, more on a busy machine).
  const followUpAt = performance.now()
  const ok = await score(server.url, { ms: 10 })
  const followUp = performance.now() - followUpAt
  assert.equal(ok.status, 200, `the follow-up on the only pool thread: ${ok.text}`)
  assert.deepEqual(ok.body, { answer: 'unblocked' })
  assert.ok(followUp < 2000, `follow-up answered after ${Math.round(followUp)} ms`)
})

test('a client that disconnects aborts its run and frees its slot', async (t) => {
  // One slot, no queue: if the cut run kept its slot, the next request would get 503.
  const server = await serveFixture('wait', { maxConcurrency: 1, queue: 0 })
  t.after(() => server.close())
  const controller = new AbortController()
  const cut = request(`${server.url}/score`, { method: 'POST', body: JSON.stringify({ ms: 20_000 }), signal: controller.signal }).then(
    () => 'answered',
    () => 'aborted'
  )
  await sleep(300)
  const busy = await score(server.url, { ms: 10 })
  assert.equal(busy.status, 503, 'the long run holds the only slot')
  controller.abort()
  assert.equal(await cut, 'aborted')
  let next = busy
  for (let i = 0; i < 40 && next.status !== 200; i++) {
    await sleep(50)
    next = await score(server.url, { ms: 10 })
  }
  assert.equal(next.status, 200, 'the slot was freed when the client went away')
  assert.deepEqual(next.body, { waited: 10, tag: '', pid: process.pid })
  const metrics = await call(`${server.url}/metrics`)
  assert.match(metrics.text, /floodgate_http_requests_total\{route="\/score",status="499"\} 1\n/, 'the cut request is counted as 499 (client closed)')
})

test('overload: max-concurrency 2, queue 2, 20 at once: fast 503s with Retry-After, all answered, no resets', async (t) => {
  const server = await serveFixture('wait', { maxConcurrency: 2, queue: 2 })
  const agent = new Agent({ connections: 50 })
  t.after(async () => {
    await agent.close()
    await server.close()
  })
  // Runs of 1 s: the admitted answer after 1 or 2 s; a refusal that waited for anything would take as long.
  const results = await Promise.allSettled(
    Array.from({ length: 20 }, (_, i) => {
      const sentAt = performance.now()
      return request(`${server.url}/score`, { method: 'POST', body: JSON.stringify({ ms: 1000, tag: String(i) }), dispatcher: agent }).then(async (res) => ({
        status: res.statusCode,
        retryAfter: res.headers['retry-after'],
        body: (await res.body.json()) as Record<string, unknown>,
        ms: performance.now() - sentAt
      }))
    })
  )
  const failures = results.filter((r) => r.status === 'rejected')
  assert.equal(failures.length, 0, `socket errors: ${failures.map((f) => String((f as PromiseRejectedResult).reason)).join('; ')}`)
  const answers = results.map((r) => (r as PromiseFulfilledResult<{ status: number; retryAfter: unknown; body: Record<string, unknown>; ms: number }>).value)
  const ok = answers.filter((a) => a.status === 200)
  const refused = answers.filter((a) => a.status === 503)
  assert.equal(ok.length + refused.length, 20, `statuses: ${answers.map((a) => a.status).join(',')}`)
  assert.ok(ok.length >= 4, `at least concurrency + queue succeed, got ${ok.length}`)
  assert.ok(refused.length >= 1, 'some are refused')
  for (const r of refused) {
    assert.ok(r.ms < 500, `a 503 took ${Math.round(r.ms)} ms: refusals must not wait for a slot`)
    assert.equal(r.retryAfter, '1')
    assert.deepEqual(r.body, {
      error: {
        code: 'SystemError',
        message: 'server is at capacity: 2 runs in progress and 2 waiting (--max-concurrency 2, --queue 2); retry later',
        inner_error: { code: 'OVERLOADED' }
      }
    })
  }
  for (const a of ok) assert.ok(a.ms >= 950, `an admitted run answered after ${Math.round(a.ms)} ms`)
  const metrics = await call(`${server.url}/metrics`)
  assert.match(metrics.text, new RegExp(`\\nfloodgate_rejected_total ${refused.length}\\n`))
  assert.match(metrics.text, new RegExp(`floodgate_http_requests_total\\{route="\\/score",status="503"\\} ${refused.length}\\n`))
  await assertServes(server.url)
})

test('time spent in the queue counts against the timeout', async (t) => {
  const server = await serveFixture('wait', { maxConcurrency: 1, queue: 1, timeoutSeconds: 0.6 })
  t.after(() => server.close())
  const holder = score(server.url, { ms: 400 })
  await sleep(100)
  // Waits ~300 ms for the slot, then runs 400 ms: 700 ms in all, past the 600 ms timeout.
  const queued = await score(server.url, { ms: 400 })
  assert.equal(queued.status, 504)
  assert.equal((queued.body as { error: { message: string } }).error.message, "the run did not finish within the server's timeout of 0.6 s (--timeout 0.6); it was aborted")
  assert.equal((await holder).status, 200)
  await assertServes(server.url)
})
