// floodgate load --openai against the mock LLM and a recording server: the requests it builds, closed
// loop, open loop and a scenario; tokens reconciled with what the mock sent; the new thresholds and
// their exit 99; and the bad inputs named.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runLoad } from '../../src/load/index.js'
import { startMock } from '../../src/mock/index.js'
import { runCli } from '../helpers/cli.js'
import { startServer } from './helpers/server.js'
import type { LoadResult } from '../../src/load/result.js'
import type { OpenAiOptions } from '../../src/load/llm-options.js'
import { toOptions, type Flags } from '../../src/cli/load.js'

const scenario = fileURLToPath(new URL('./fixtures/chat-scenario.ts', import.meta.url))

async function tempDir(t: import('node:test').TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'floodgate-openai-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return dir
}

test('requests: the model, the prompts cycled in order, stream with usage, max_tokens (per line when given)', async (t) => {
  const bodies: Record<string, unknown>[] = []
  const server = await startServer((req, res) => {
    let text = ''
    req.on('data', (d: Buffer) => (text += d))
    req.on('end', () => {
      bodies.push({ ...JSON.parse(text), path: req.url, accept: req.headers.accept })
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.end('data: {"choices": [{"delta": {"content": "ok"}}]}\n\ndata: [DONE]\n\n')
    })
  })
  t.after(() => server.close())
  const dir = await tempDir(t)
  const prompts = join(dir, 'prompts.jsonl')
  await writeFile(prompts, '{"prompt": "one"}\n\n{"messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "two"}], "max_tokens": 3}\n')
  const result = await runLoad({ url: '', openai: { baseUrl: `${server.url}/v1/`, model: 'm1', prompts, maxTokens: 9 }, users: 1, runTime: 0.4 })
  assert.ok(bodies.length >= 3)
  assert.deepEqual(bodies[0], {
    model: 'm1', messages: [{ role: 'user', content: 'one' }], max_tokens: 9, stream: true, stream_options: { include_usage: true },
    path: '/v1/chat/completions', accept: 'text/event-stream'
  })
  assert.deepEqual(bodies[1]!.messages, [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'two' }])
  assert.equal(bodies[1]!.max_tokens, 3)
  assert.deepEqual(bodies[2]!.messages, [{ role: 'user', content: 'one' }], 'cycled')
  assert.equal(result.config.stream, 'openai')
  assert.deepEqual(result.config.openai, { model: 'm1', prompts: `${prompts} (2 prompts)`, maxTokens: 9 })
  assert.equal(result.llm!.completed, bodies.length)
})

test('closed loop, open loop and a two-turn scenario against the mock; tokens received equal tokens the mock sent', async (t) => {
  const mock = await startMock({ host: '127.0.0.1', port: 0, ttft: 0.02, tokensPerSec: 500 }, {})
  t.after(() => mock.close())
  const base = `${mock.url}/v1`
  const runs: [string, Parameters<typeof runLoad>[0]][] = [
    ['closed', { url: '', openai: { baseUrl: base, model: 'm', maxTokens: 8, promptWords: 5 }, users: 4, runTime: 0.6, drainSec: 2 }],
    ['open', { url: '', openai: { baseUrl: base, model: 'm', maxTokens: 8 }, rate: 20, arrival: 'poisson', runTime: 0.6, drainSec: 2 }],
    ['scenario', { url: '', openai: { baseUrl: base, model: 'm', maxTokens: 30 }, users: 2, runTime: 0.6, drainSec: 2, scenario }]
  ]
  for (const [name, options] of runs) {
    await mock.resetStats()
    const result = await runLoad(options)
    const sent = await mock.stats()
    const llm = result.llm!
    assert.ok(llm.completed >= 2, `${name}: completed ${llm.completed}`)
    assert.equal(result.aggregated.failures, 0, `${name}: ${JSON.stringify(result.errors)} ${JSON.stringify(result.exceptions)}`)
    assert.equal(result.exceptions.length, 0, `${name}: ${JSON.stringify(result.exceptions)}`)
    assert.equal(llm.outputTokens, sent.tokensSent, `${name}: tokens received = tokens the mock sent`)
    assert.equal(llm.completed, sent.answered, `${name}: streams completed = answered`)
    assert.equal(llm.usageResponses, llm.completed, `${name}: usage on every reply`)
  }
})

test('the CLI: stream thresholds decide the exit (99), the LLM CSVs are written, --json carries vLLM-named figures', async (t) => {
  const mock = await startMock({ host: '127.0.0.1', port: 0, ttft: 0.02, tokensPerSec: 500 }, {})
  t.after(() => mock.close())
  const dir = await tempDir(t)
  const r = await runCli(['load', '--openai', `${mock.url}/v1`, '--model', 'm', '--max-tokens', '5', '--users', '2', '--run-time', '1s',
    '--drain', '3s', '--csv', join(dir, 'run'), '--json', join(dir, 'run.json'), '--slo', 'ttft<5000',
    '--threshold', 'ttft_p99<1', '--threshold', 'tokens_per_s>1', '--threshold', 'goodput>0.5', '--threshold', 'itl_p50<=1000'])
  assert.equal(r.code, 99, r.stderr)
  assert.match(r.stdout, /FAILED {2}ttft_p99<1 {2}\(actual \d+\.?\d*\)/)
  assert.match(r.stdout, /passed {2}tokens_per_s>1/)
  assert.match(r.stdout, /passed {2}goodput>0\.5/)
  assert.match(r.stdout, /passed {2}itl_p50<=1000/)
  assert.match(r.stdout, /^TTFT +\d/m)
  assert.equal(r.stderr, 'floodgate: 1 of 4 threshold(s) failed: ttft_p99<1\n')
  const result = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')) as LoadResult
  assert.equal(result.version, 2)
  const csv = (await readFile(join(dir, 'run_llm_stats.csv'), 'utf8')).split('\r\n')
  const header = csv[0]!.split(',')
  const row = csv[1]!.split(',')
  const field = (name: string) => row[header.indexOf(name)]
  assert.equal(Number(field('total_output_tokens')), (await mock.stats()).tokensSent)
  assert.equal(Number(field('completed')), result.llm!.completed)
  assert.equal(field('output_tokens_source'), 'usage')
  assert.equal(Number(field('median_ttft_ms')), result.llmStats!.median_ttft_ms)
  for (const name of ['mean_ttft_ms', 'p90_tpot_ms', 'p95_itl_ms', 'p99_e2el_ms', 'request_goodput', 'output_throughput']) {
    assert.ok(header.includes(name), name)
  }
  assert.match(await readFile(join(dir, 'run_llm_stats_history.csv'), 'utf8'), /^Timestamp,ttft_p50_ms,/)
})

test('bad input: each a usage error naming what is wrong (exit 2)', async (t) => {
  const dir = await tempDir(t)
  const notJsonl = join(dir, 'prompts.json')
  await writeFile(notJsonl, '{"prompt": "fine"}\n[{"prompt": "an array of the whole dataset"},\n')
  const shape = join(dir, 'shape.jsonl')
  await writeFile(shape, '{"text": "what?"}\n')
  const openai = (more: Partial<OpenAiOptions>): Parameters<typeof runLoad>[0] => ({ url: '', openai: { baseUrl: 'http://127.0.0.1:1/v1', model: 'm', ...more }, runTime: 1 })
  const library: [Parameters<typeof runLoad>[0], string][] = [
    [openai({ model: undefined }),
      '--openai needs --model: the name of the model the server serves (its GET /v1/models lists them), e.g. --model meta-llama/Llama-3.1-8B-Instruct'],
    [openai({ prompts: notJsonl }),
      `--prompts ${notJsonl}: line 2 is not JSON (Unexpected end of JSON input); the file must be JSONL: one JSON object per line, expected {"prompt": "..."} or {"messages": [{"role": "user", "content": "..."}]}`],
    [openai({ prompts: shape }),
      `--prompts ${shape}: line 1: expected {"prompt": "..."} or {"messages": [{"role": "user", "content": "..."}]}, got {"text": "what?"}`],
    [openai({ prompts: shape, promptWords: 3 }), '--prompts and --prompt-words cannot be used together: prompts come from the file or are synthetic'],
    [{ url: 'http://127.0.0.1:1/', slo: ['ttfb<5'] }, 'invalid --slo "ttfb<5": unknown metric "ttfb" (metrics: ttft, itl, tpot, e2e)'],
    [{ url: 'http://127.0.0.1:1/', slo: ['ttft=5'] }, 'invalid --slo "ttft=5": expected METRIC<MILLISECONDS, e.g. ttft<500 or e2e<5000 (metrics: ttft, itl, tpot, e2e)'],
    [{ url: 'http://127.0.0.1:1/', rate: 10, burstiness: 0 },
      'invalid --burstiness "0": expected a number > 0 (1 = Poisson arrivals, below 1 burstier, above 1 more regular)']
  ]
  for (const [options, message] of library) await assert.rejects(runLoad(options), { name: 'UsageError', message })
  const flags = (more: Partial<Flags>): Flags => ({ header: [], runTime: '1s', threshold: [], slo: [], ...more })
  const cli: [string | undefined, Partial<Flags>, string][] = [
    ['http://127.0.0.1:1/', { model: 'm' }, '--model needs --openai BASE_URL: it shapes the chat-completion requests --openai sends'],
    ['http://127.0.0.1:1/', { openai: 'http://127.0.0.1:1/v1', model: 'm' },
      'give either <url> or --openai BASE_URL, not both: --openai sends its requests to BASE_URL/chat/completions (got http://127.0.0.1:1/)'],
    [undefined, {}, 'missing <url>: the URL to load, or --openai BASE_URL --model MODEL for an OpenAI-compatible server'],
    ['http://127.0.0.1:1/', { stream: 'json' }, 'invalid --stream "json": expected auto, sse, openai, none'],
    ['http://127.0.0.1:1/', { arrival: 'uniform' }, 'invalid --arrival "uniform": expected constant (n / rate) or poisson (random arrivals; see --burstiness)']
  ]
  for (const [url, more, message] of cli) assert.throws(() => toOptions(url, flags(more)), { name: 'UsageError', message })
  // And as a user sees one: the message on stderr, exit 2.
  const r = await runCli(['load', '--openai', 'http://127.0.0.1:1/v1', '--run-time', '1s'])
  assert.equal(r.code, 2)
  assert.equal(r.stderr, `floodgate: ${library[0]![1]}\n`)
})
