// The proof: the same samples recorded by 4 shards and by 1 single run, the shards merged with
// `floodgate merge`, give the single run's totals, percentiles, errors and per-second history.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Recorder } from '../../../src/load/recorder.js'
import { httpFailure, transportFailure } from '../../../src/load/failure.js'
import { applyShard } from '../../../src/load/shard.js'
import { shares } from '../../../src/load/processes.js'
import { mulberry32 } from '../../../src/mock/index.js'
import { LOCUST_PERCENTILES, type EndpointStats, type GeneratorStats, type LoadConfig, type LoadResult } from '../../../src/load/index.js'
import { historyCsv } from '../../../src/report/load/csv.js'
import { runMerge } from './helpers/cli.js'
import type { CliResult } from '../../helpers/cli.js'
import { HAND_PERCENTILES, handMadeResults } from '../../load/helpers/hand-made.js'

const SHARDS = 4
const SECONDS = 12
const START_MS = 1_700_000_000_000

const base: LoadConfig = {
  url: 'http://127.0.0.1:8080/score', method: 'POST', name: '/score', mode: 'closed', users: 50, spawnRate: 5,
  runTimeSec: SECONDS, wait: 'between:1,2', timeoutSec: 60, processes: 1
}
const generator: GeneratorStats = { processes: 1, cpuPercentAvg: 10, cpuPercentMax: 20, rssMaxBytes: 80e6, saturated: false }

/** Records a seeded stream of requests (two endpoints, 503s and resets, latencies from 0.3 ms to ~20 s). */
function record(): { single: LoadResult; shards: LoadResult[] } {
  const random = mulberry32(7)
  const single = new Recorder()
  const parts = Array.from({ length: SHARDS }, () => new Recorder())
  const configs = parts.map((_, index) => applyShard(base, { index, count: SHARDS }))
  for (let s = 0; s < SECONDS; s++) {
    const n = 200 + Math.floor(random() * 400)
    for (let k = 0; k < n; k++) {
      const shard = Math.floor(random() * random() * SHARDS) // uneven on purpose
      const score = random() < 0.9
      const latencyUs = 300 + Math.exp(random() * random() * 16.8)
      const roll = random()
      const status = roll < 0.05 ? 503 : roll < 0.06 ? 0 : 200
      const url = score ? '/score' : '/health'
      const failure = status === 503 ? httpFailure(503, url) : status === 0 ? transportFailure({ code: 'ECONNRESET' }, 60) : undefined
      const bytes = status === 200 ? 120 + Math.floor(random() * 40) : 0
      for (const r of [single, parts[shard]]) r.record(r.endpoint(score ? 'POST' : 'GET', url), latencyUs, status, bytes, failure)
    }
    const t = START_MS / 1000 + s + 1
    const users = Math.min(base.users, (s + 1) * base.spawnRate)
    single.closeWindow(t, 1, users, 3)
    const shardUsers = shares(users, SHARDS)
    parts.forEach((r, i) => r.closeWindow(t, 1, shardUsers[i], 1))
  }
  const end = START_MS + SECONDS * 1000
  return {
    single: single.toResult(base, START_MS, end, SECONDS, false, generator),
    shards: parts.map((r, i) => r.toResult(configs[i], START_MS, end, SECONDS, false, generator))
  }
}

/**
 * Equal within HDR precision: a merged histogram is rebuilt from encoded buckets, whose largest value is
 * the top of its bucket (3 significant digits: at most 0.1% above the exact maximum), so a percentile in
 * the top bucket may read that bound where the live single run reads its exact maximum.
 */
function assertClose(merged: number | null | undefined, single: number | null | undefined, label: string): void {
  if (merged === single) return
  assert.ok(typeof merged === 'number' && typeof single === 'number' && Math.abs(merged - single) <= single * 0.001,
    `${label}: merged ${merged} vs single ${single}`)
}

function assertSameStats(merged: EndpointStats, single: EndpointStats, label: string): void {
  assert.equal(merged.requests, single.requests, `${label} requests`)
  assert.equal(merged.failures, single.failures, `${label} failures`)
  assert.equal(merged.minMs, single.minMs, `${label} min`)
  assert.equal(merged.maxMs, single.maxMs, `${label} max`)
  assert.equal(merged.medianMs, single.medianMs, `${label} median`)
  assert.ok(Math.abs(merged.meanMs - single.meanMs) <= 0.002, `${label} mean ${merged.meanMs} vs ${single.meanMs}`)
  assert.ok(Math.abs(merged.avgContentBytes - single.avgContentBytes) < 1e-6, `${label} bytes`)
  assert.ok(Math.abs(merged.rps - single.rps) < 1e-9, `${label} rps`)
  // Histograms add exactly: every percentile is the single run's, within one HDR bucket at the top.
  for (const p of LOCUST_PERCENTILES) assertClose(merged.percentiles[String(p)], single.percentiles[String(p)], `${label} p${p}`)
}

/** Writes each result as shard-<i>.json and runs `floodgate merge` on them; out is the output folder. */
async function mergeShards(t: TestContext, shards: LoadResult[]): Promise<{ out: string; run: CliResult }> {
  const dir = await mkdtemp(join(tmpdir(), 'floodgate-merge-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const files = await Promise.all(shards.map(async (s, i) => {
    const file = join(dir, `shard-${i}.json`)
    await writeFile(file, JSON.stringify(s))
    return file
  }))
  const out = join(dir, 'merged')
  const run = await runMerge([...files, '--out', out])
  assert.equal(run.code, 0, run.stderr)
  return { out, run }
}

test('4 shards merged give the totals, percentiles, errors and history of the single run', async (t) => {
  const { single, shards } = record()
  assert.ok(shards.every((s) => s.aggregated.requests > 0), 'every shard has samples')
  const { out, run } = await mergeShards(t, shards)
  assert.equal(run.stderr, '', 'no warning: all 4 shards of one run')
  assert.match(run.stdout, new RegExp(`Merged 4 result\\(s\\): ${single.aggregated.requests} requests, ${single.aggregated.failures} failures`))
  const merged = JSON.parse(await readFile(join(out, 'merged.json'), 'utf8')) as LoadResult

  assertSameStats(merged.aggregated, single.aggregated, 'Aggregated')
  const byKey = (r: LoadResult) => new Map(r.endpoints.map((e) => [`${e.method} ${e.name}`, e]))
  const mergedEndpoints = byKey(merged)
  assert.deepEqual([...mergedEndpoints.keys()].sort(), [...byKey(single).keys()].sort())
  for (const [key, e] of byKey(single)) assertSameStats(mergedEndpoints.get(key) as EndpointStats, e, key)
  assert.deepEqual(merged.statusCounts, single.statusCounts)
  assert.deepEqual(merged.errors, single.errors)
  assert.equal(merged.config.users, base.users)
  assert.ok(Math.abs(merged.config.spawnRate - base.spawnRate) < 1e-9)
  assert.equal(merged.config.shard, undefined)
  assert.equal(merged.durationSec, single.durationSec)

  assert.equal(merged.history.length, single.history.length)
  merged.history.forEach((p, i) => {
    const s = single.history[i]
    for (const k of ['t', 'requests', 'failures', 'rps', 'totalRequests', 'totalFailures', 'totalMinMs', 'totalMaxMs'] as const) {
      assert.equal(p[k], s[k], `history[${i}].${k}`)
    }
    for (const k of ['p50', 'p95', 'p99', 'totalMedianMs'] as const) assertClose(p[k], s[k], `history[${i}].${k}`)
    assert.ok(Math.abs((p.totalAvgMs ?? 0) - (s.totalAvgMs ?? 0)) <= 0.002, `history[${i}].totalAvgMs`)
  })

  // The CSVs a single run writes, from the merged result.
  const stats = (await readFile(join(out, 'merged_stats.csv'), 'utf8')).trim().split('\n')
  const aggregatedRow = stats.find((l) => l.startsWith(',Aggregated,'))
  assert.ok(aggregatedRow, stats.join('\n'))
  assert.equal(aggregatedRow.split(',')[2], String(single.aggregated.requests))
  const history = (await readFile(join(out, 'merged_stats_history.csv'), 'utf8')).trim().split('\n')
  const singleHistory = historyCsv(single).trim().split('\n')
  assert.equal(history.length, singleHistory.length)
  // Timestamp, users, names and request counts per second are the single run's.
  const key = (line: string) => line.split(',').slice(0, 4).join(',')
  assert.deepEqual(history.map(key), singleHistory.map(key))
  assert.match(await readFile(join(out, 'merged_failures.csv'), 'utf8'), /HTTPError\('503 Server Error/)
  assert.match(await readFile(join(out, 'merged_exceptions.csv'), 'utf8'), /^Count,Message,Traceback,Nodes/)
  assert.match(await readFile(join(out, 'report.html'), 'utf8'), /Floodgate load report/)
})

test('the hand-made run (1..100 ms over 10 s) in 3 shards merges to its hand-computed figures and CSV row', async (t) => {
  const { out } = await mergeShards(t, handMadeResults(3))
  const merged = JSON.parse(await readFile(join(out, 'merged.json'), 'utf8')) as LoadResult
  const a = merged.aggregated
  assert.deepEqual([a.requests, a.failures, a.minMs, a.maxMs, a.meanMs, a.avgContentBytes, a.rps, a.failuresPerSec], [100, 10, 1, 100, 50.5, 90, 10, 1])
  assert.deepEqual(a.percentiles, HAND_PERCENTILES)
  // Every cell of Locust's Aggregated row: count, failures, median, average, min, max, size, rates, percentiles.
  const stats = (await readFile(join(out, 'merged_stats.csv'), 'utf8')).split('\r\n')
  assert.equal(stats[2], ',Aggregated,100,10,50.015,50.5,1,100,90,10,1,50.015,66.047,75.007,80.063,90.047,95.039,98.047,99.007,100,100,100')
  assert.equal(stats[1], 'POST,/score,100,10,50.015,50.5,1,100,90,10,1,50.015,66.047,75.007,80.063,90.047,95.039,98.047,99.007,100,100,100')
})