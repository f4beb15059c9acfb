// Streaming figures merged exactly: the same streams recorded by 3 shards and by 1 single run give, once
// merged, the single run's TTFT/ITL/TPOT/E2E distributions, tokens, goodput, per-second history and
// PREFIX_llm_stats.csv. And an old (version 1) result file still loads, merges and re-reports.
// test:concurrent
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Recorder } from '../../../src/load/recorder.js'
import { applyShard } from '../../../src/load/shard.js'
import { mulberry32 } from '../../../src/random.js'
import { parseSlo } from '../../../src/load/slo.js'
import { mergeResultFiles } from '../../../src/report/index.js'
import { llmStatsCsv } from '../../../src/report/load/llm-csv.js'
import { finalReport } from '../../../src/report/load/console.js'
import type { GeneratorStats, LoadConfig, LoadResult } from '../../../src/load/index.js'

const SHARDS = 3
const SECONDS = 6
const START_MS = 1_700_000_000_000
const v1 = fileURLToPath(new URL('./fixtures/v1-result.json', import.meta.url))

const base: LoadConfig = {
  url: 'http://127.0.0.1:8000/v1/chat/completions', method: 'POST', name: '/v1/chat/completions', mode: 'closed', users: 30,
  spawnRate: 30, runTimeSec: SECONDS, wait: 'none', timeoutSec: 60, processes: 1
}
const generator: GeneratorStats = { processes: 1, cpuPercentAvg: 10, cpuPercentMax: 20, rssMaxBytes: 80e6, saturated: false }
const SLOS = ['ttft<400', 'itl<40']

/** Seeded streams (TTFT 100-700 ms, 1-60 tokens with gaps of 0-60 ms, usage on most, a few cut), recorded twice. */
function record(): { single: LoadResult; shards: LoadResult[] } {
  const random = mulberry32(11)
  const single = new Recorder(SLOS.map(parseSlo))
  const parts = Array.from({ length: SHARDS }, () => new Recorder(SLOS.map(parseSlo)))
  for (let s = 0; s < SECONDS; s++) {
    for (let k = 0; k < 40; k++) {
      const shard = Math.floor(random() * SHARDS)
      const ttft = 100 + random() * 600
      const gaps = Array.from({ length: Math.floor(random() * 60) }, () => random() * 60)
      const usage = random() < 0.8 ? gaps.length + 1 + Math.floor(random() * 3) : -1
      const ok = random() < 0.95
      for (const r of [single, parts[shard]!]) {
        r.llm.firstByte(ttft / 3)
        r.llm.firstToken(ttft)
        for (const g of gaps) r.llm.nextToken(g)
        const lastAt = 1000 + ttft + gaps.reduce((a, b) => a + b, 0)
        r.llm.finish({ startedAt: 1000, firstAt: 1000 + ttft, lastAt, contentEvents: gaps.length + 1, maxGapMs: Math.max(0, ...gaps), usageTokens: usage, promptTokens: 12 }, ok)
        r.record(r.endpoint('POST', base.name), (lastAt - 1000) * 1000, 200, 900, ok ? undefined : { kind: 'stream', error: "StreamError('cut')" })
      }
    }
    const t = START_MS / 1000 + s + 1
    single.closeWindow(t, 1, base.users, 0)
    parts.forEach((r) => r.closeWindow(t, 1, base.users / SHARDS, 0))
  }
  const end = START_MS + SECONDS * 1000
  return {
    single: single.toResult(base, START_MS, end, SECONDS, false, generator),
    shards: parts.map((r, i) => r.toResult(applyShard(base, { index: i, count: SHARDS }), START_MS, end, SECONDS, false, generator))
  }
}

async function tempDir(t: import('node:test').TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'floodgate-merge-llm-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return dir
}

async function writeAll(dir: string, results: LoadResult[]): Promise<string[]> {
  return Promise.all(results.map(async (r, i) => {
    const file = join(dir, `part-${i}.json`)
    await writeFile(file, JSON.stringify(r))
    return file
  }))
}

test('3 shards merged give the single run\'s streaming distributions, tokens, goodput, history and llm CSV', async (t) => {
  const dir = await tempDir(t)
  const { single, shards } = record()
  assert.ok(shards.every((s) => s.llm!.completed > 0), 'every shard has streams')
  const { result: merged, files, warnings } = await mergeResultFiles(await writeAll(dir, shards), join(dir, 'out'))
  assert.deepEqual(warnings, [])
  const m = merged.llm!
  const s = single.llm!
  for (const key of ['streamed', 'completed', 'good', 'usageResponses', 'outputTokens', 'inputTokens', 'inputResponses'] as const) {
    assert.equal(m[key], s[key], key)
  }
  assert.deepEqual(m.slos, SLOS)
  for (const key of ['ttfb', 'ttft', 'itl', 'tpot', 'e2el', 'outputTokensPerRequest', 'requestTokensPerSec'] as const) {
    assert.equal(m[key].count, s[key].count, `${key} count`)
    assert.equal(m[key].min, s[key].min, `${key} min`)
    assert.equal(m[key].max, s[key].max, `${key} max`)
    assert.equal(m[key].sum, s[key].sum, `${key} sum`)
    assert.ok(Math.abs(m[key].sumSq - s[key].sumSq) <= s[key].sumSq * 1e-12, `${key} sum of squares`)
  }
  // Every vLLM-named figure (percentiles included: histograms add bucket by bucket) is the single run's.
  assert.equal(llmStatsCsv(merged), llmStatsCsv(single))
  assert.equal(await readFile(join(dir, 'out', 'merged_llm_stats.csv'), 'utf8'), llmStatsCsv(single))
  assert.ok(files.some((f) => f.endsWith('merged_llm_stats_history.csv')))
  assert.equal(merged.history.length, single.history.length)
  merged.history.forEach((p, i) => {
    const [a, b] = [p.llm!, single.history[i]!.llm!]
    assert.equal(a.tokens, b.tokens, `history[${i}] tokens`)
    assert.equal(a.tokensPerSec, b.tokensPerSec, `history[${i}] tokens/s`)
    // A window's histogram knows its maximum only to its bucket's top once encoded: equal within that bucket (0.1%).
    for (const k of ['ttftP50', 'ttftP95', 'ttftP99', 'itlP50', 'itlP99'] as const) {
      assert.ok(Math.abs(a[k]! - b[k]!) <= b[k]! * 0.001, `history[${i}].${k}: merged ${a[k]} vs single ${b[k]}`)
    }
  })
})

test('goodput measured against different SLOs cannot be added: the merge says so and keeps none', async (t) => {
  const dir = await tempDir(t)
  const { shards } = record()
  shards[1]!.llm!.slos = ['ttft<100']
  const { result, warnings } = await mergeResultFiles(await writeAll(dir, shards), join(dir, 'out'))
  assert.deepEqual(warnings, ['the results measured goodput against different --slo (ttft<400 itl<40; ttft<100; ttft<400 itl<40): the merged result has no goodput'])
  assert.deepEqual(result.llm!.slos, [])
  assert.equal(result.llmStats!.request_goodput, null)
})

test('a version 1 result file (no streaming figures) still loads, merges with a version 2 one, and re-reports', async (t) => {
  const dir = await tempDir(t)
  const old = join(dir, 'v1.json')
  await copyFile(v1, old)
  const alone = await mergeResultFiles([old], join(dir, 'alone'))
  const original = JSON.parse(await readFile(v1, 'utf8')) as LoadResult
  assert.equal(original.version, 1)
  assert.equal(alone.result.aggregated.requests, original.aggregated.requests)
  assert.equal(alone.result.llm, undefined)
  assert.deepEqual(alone.files.map((f) => f.slice(dir.length + 7)).sort(),
    ['merged.json', 'merged_exceptions.csv', 'merged_failures.csv', 'merged_stats.csv', 'merged_stats_history.csv', 'report.html'])
  assert.equal(await readFile(join(dir, 'alone', 'merged_stats.csv'), 'utf8').then((s) => s.split('\r\n')[1]!.split(',')[2]), String(original.aggregated.requests))
  assert.match(finalReport(original), /Aggregated +493/)

  const { shards } = record()
  const newer = (await writeAll(dir, [shards[0]!]))[0]!
  const mixed = await mergeResultFiles([old, newer], join(dir, 'mixed'))
  assert.equal(mixed.result.version, 2)
  assert.equal(mixed.result.aggregated.requests, original.aggregated.requests + shards[0]!.aggregated.requests)
  assert.equal(mixed.result.llm!.completed, shards[0]!.llm!.completed, 'the streaming figures of the file that has them')
  assert.match(finalReport(mixed.result), /^TTFT /m)
  assert.match(await readFile(join(dir, 'mixed', 'report.html'), 'utf8'), /Time to first token per second/)
})
