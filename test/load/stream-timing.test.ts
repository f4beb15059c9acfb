// TTFT, ITL, TPOT, E2E, tokens and goodput measured by `floodgate load` against loopback servers whose
// timing the test sets: each figure must land where its definition puts it, and far from where a wrong
// definition would (the role-only chunk as first token, E2E to the stream's end, tokens from events when
// usage is sent). Then streams that are cut, or carry no content: failures of kind "stream".
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { ServerResponse } from 'node:http'
import { runLoad } from '../../src/load/index.js'
import { llmStats } from '../../src/load/llm-stats.js'
import { percentileOf } from '../../src/load/distribution.js'
import { startServer } from './helpers/server.js'

const chunk = (delta: Record<string, unknown>) => `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta }] })}\n\n`
const usage = (tokens: number) => `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 3, completion_tokens: tokens } })}\n\n`

/**
 * Writes each [ms, text] that long after the previous write (the first after the request arrived), then
 * ends. Each gap is timed from the write before it, not from one origin: the generator and this server
 * share one event loop, and a stall on a busy machine then lengthens one gap instead of firing several
 * late timers at once, which would squeeze the gaps after it and move TPOT and ITL below their definition.
 */
function timeline(res: ServerResponse, steps: [number, string][], end: (res: ServerResponse) => void = (r) => r.end()): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' })
  const next = (i: number, previousAt: number) => {
    setTimeout(() => {
      res.write(steps[i]![1])
      if (i === steps.length - 1) end(res)
      else next(i + 1, steps[i]![0])
    }, steps[i]![0] - previousAt)
  }
  next(0, 0)
}

const within = (value: number | null, low: number, high: number, what: string) =>
  assert.ok(value !== null && value >= low && value <= high, `${what}: ${value}, expected ${low}..${high}`)

test('TTFT, ITL, E2E, TPOT and tokens against a server whose timing is known', async (t) => {
  // A role-only chunk at once, content at 200, 250, 300, 350, 400 ms, usage (10 tokens) at 550 ms, [DONE].
  const server = await startServer((req, res) => {
    req.resume()
    timeline(res, [
      [0, chunk({ role: 'assistant', content: '' })],
      [200, chunk({ content: 'a' })], [250, chunk({ content: 'b' })], [300, chunk({ content: 'c' })],
      [350, chunk({ content: 'd' })], [400, chunk({ content: 'e' })],
      [550, usage(10) + 'data: [DONE]\n\n']
    ])
  })
  t.after(() => server.close())
  const result = await runLoad({ url: server.url, users: 1, runTime: 1.2, drainSec: 2, slo: ['ttft<500'] })
  const llm = result.llm!
  const n = result.aggregated.requests
  assert.ok(n >= 2, `requests ${n}`)
  assert.equal(result.aggregated.failures, 0)
  assert.equal(llm.streamed, n)
  assert.equal(llm.completed, n)
  // The first content event at 200 ms, not the role chunk at 0 (the upper bounds allow for a busy machine).
  within(llm.ttft.min / 1000, 195, 260, 'TTFT min')
  within(percentileOf(llm.ttft, 50, 1000), 195, 260, 'TTFT median')
  // One gap per content event after the first, pooled: 4 per request, 50 ms each.
  assert.equal(llm.itl.count, 4 * n)
  within(percentileOf(llm.itl, 50, 1000), 45, 65, 'ITL median')
  // E2E to the last content event (400 ms), not to the usage chunk or the end (550 ms).
  within(llm.e2el.min / 1000, 395, 470, 'E2E min')
  within(percentileOf(llm.e2el, 50, 1000), 395, 470, 'E2E median')
  // TPOT = (400 - 200) / (10 - 1) = 22.2 ms with usage's 10 tokens (with the 5 events it would be 50).
  within(llm.tpot.min / 1000, 20.5, 29, 'TPOT min')
  within(percentileOf(llm.tpot, 50, 1000), 20.5, 29, 'TPOT median')
  assert.equal(llm.outputTokensPerRequest.min, 10)
  assert.equal(llm.outputTokensPerRequest.max, 10)
  assert.equal(llm.outputTokens, 10 * n)
  assert.equal(llm.inputTokens, 3 * n)
  // Locust's response time runs to the end of the stream.
  within(result.aggregated.minMs, 545, 700, 'response time')
  const stats = llmStats(result)!
  assert.equal(stats.output_tokens_source, 'usage')
  assert.equal(stats.total_output_tokens, 10 * n)
  assert.equal(llm.good, n, 'every request met ttft<500')
  assert.ok(Math.abs(stats.request_goodput! - n / result.durationSec) < 1e-9)
  // The per-second history carries the same events.
  const history = result.history.filter((p) => p.llm)
  assert.equal(history.reduce((sum, p) => sum + p.llm!.tokens, 0), 10 * n)
  assert.ok(history.some((p) => p.llm!.ttftP50 !== null && p.llm!.ttftP50 >= 195))
})

test('goodput counts the requests that met every SLO, each compared inclusively', async (t) => {
  // Even requests: first token after 30 ms, odd ones after 300 ms; then a second token 10 ms later.
  let received = 0
  let fast = 0
  const server = await startServer((req, res) => {
    req.resume()
    const quick = received++ % 2 === 0
    if (quick) fast++
    const first = quick ? 30 : 300
    timeline(res, [[first, chunk({ content: 'a' })], [first + 10, chunk({ content: 'b' }) + 'data: [DONE]\n\n']])
  })
  t.after(() => server.close())
  const result = await runLoad({ url: server.url, users: 1, runTime: 1.5, drainSec: 2, slo: ['ttft<150', 'itl<=100', 'e2e<5s'] })
  const llm = result.llm!
  assert.equal(llm.completed, received)
  assert.ok(received >= 4, `requests ${received}`)
  assert.equal(llm.good, fast)
  assert.deepEqual(llm.slos, ['ttft<150', 'itl<=100', 'e2e<5s'])
  assert.equal(llmStats(result)!.output_tokens_source, 'events')
  assert.equal(llm.outputTokens, 2 * received)
})

test('a stream cut mid-way fails as "stream", and what it sent before the cut is kept', async (t) => {
  const server = await startServer((req, res) => {
    req.resume()
    timeline(res, [[0, chunk({ role: 'assistant', content: '' })], [20, chunk({ content: 'a' })], [40, chunk({ content: 'b' })]],
      (r) => setTimeout(() => r.socket?.destroy(), 20))
  })
  t.after(() => server.close())
  const result = await runLoad({ url: server.url, users: 1, runTime: 0.5, drainSec: 1 })
  const n = result.aggregated.requests
  assert.ok(n >= 2, `requests ${n}`)
  assert.equal(result.aggregated.failures, n)
  assert.equal(result.errors.length, 1)
  assert.equal(result.errors[0]!.kind, 'stream')
  assert.equal(result.errors[0]!.error, `StreamError("the stream was cut: RemoteDisconnected('Remote end closed connection without response')")`)
  assert.equal(result.statusCounts['200'], n, 'the answer had started with 200')
  const llm = result.llm!
  assert.equal(llm.completed, 0)
  assert.equal(llm.streamed, n)
  assert.equal(llm.ttft.count, n, 'each cut stream keeps its first token')
  assert.equal(llm.itl.count, n)
  assert.equal(llm.outputTokens, 2 * n)
  assert.equal(llm.e2el.count, 0, 'no end-to-end latency without an end')
})

test('a 2xx stream without content, or with an error event, fails as "stream" naming why', async (t) => {
  let i = 0
  const server = await startServer((req, res) => {
    req.resume()
    const empty = i++ % 2 === 0
    timeline(res, [[0, empty ? chunk({ role: 'assistant', content: '' }) + usage(0) + 'data: [DONE]\n\n'
      : chunk({ content: 'a' }) + 'event: error\ndata: {"error": {"message": "upstream failed"}}\n\n']])
  })
  t.after(() => server.close())
  const result = await runLoad({ url: server.url, users: 1, runTime: 0.3 })
  const texts = result.errors.map((e) => `${e.kind} ${e.error}`).sort()
  assert.deepEqual(texts, ["stream StreamError('error event: upstream failed')", "stream StreamError('no content event in the stream')"])
  assert.equal(result.aggregated.failures, result.aggregated.requests)
})
