// Synthetic bench data for the report tests: a LoadResult whose figures follow from a few parameters,
// and process / metrics samples over the same seconds. Nothing here runs a server.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { MANIFEST, variantFiles, writeJson } from '../../../src/report/bench/files.js'
import { LOAD_RESULT_VERSION, LOCUST_PERCENTILES, type ErrorEntry, type LoadResult } from '../../../src/load/result.js'
import {
  BENCH_DATA_VERSION, type BenchManifest, type MetricsSample, type ProcessSeries, type VariantKind, type VariantMeta, type VariantSamples
} from '../../../src/report/bench/data.js'

export const START_MS = 1_700_000_000_000
const START = START_MS / 1000

export interface ResultSpec {
  users: number
  spawnRate: number
  runTimeSec: number
  wait?: string
  /** Successful requests completed per second once all users run (scaled down during the ramp). */
  rps: number
  medianMs: number
  p99Ms?: number
  errors?: ErrorEntry[]
  saturated?: boolean
  /** The generator's highest one-second CPU sample, when not saturated (default 30%). */
  generatorCpuMax?: number
}

export function syntheticResult(spec: ResultSpec): LoadResult {
  const history = []
  let total = 0
  const failuresTotal = (spec.errors ?? []).reduce((s, e) => s + e.occurrences, 0)
  for (let i = 1; i <= spec.runTimeSec; i++) {
    const users = Math.min(spec.users, spec.spawnRate * i)
    const requests = Math.round((spec.rps * users) / spec.users)
    total += requests
    history.push({
      t: START + i, users, requests, failures: 0, rps: requests, failuresPerSec: 0,
      p50: spec.medianMs, p95: spec.medianMs * 1.1, p99: spec.p99Ms ?? spec.medianMs * 1.2, inFlight: Math.round(users / 2),
      totalRequests: total, totalFailures: 0
    })
  }
  // Failures are spread over the last second, after the ramp.
  history.at(-1)!.failures = failuresTotal
  history.at(-1)!.requests += failuresTotal
  total += failuresTotal
  const percentiles: Record<string, number> = {}
  for (const p of LOCUST_PERCENTILES) percentiles[String(p)] = p <= 50 ? spec.medianMs : p >= 99 ? (spec.p99Ms ?? spec.medianMs * 1.2) : spec.medianMs * 1.1
  const aggregated = {
    method: 'POST', name: 'Aggregated', requests: total, failures: failuresTotal, minMs: spec.medianMs * 0.9,
    maxMs: (spec.p99Ms ?? spec.medianMs * 1.2) * 1.1, meanMs: spec.medianMs * 1.02, medianMs: spec.medianMs,
    avgContentBytes: 120, rps: total / spec.runTimeSec, failuresPerSec: failuresTotal / spec.runTimeSec, percentiles
  }
  return {
    version: LOAD_RESULT_VERSION, tool: 'floodgate',
    config: {
      url: 'http://127.0.0.1:1/score', method: 'POST', name: '/score', mode: 'closed', users: spec.users,
      spawnRate: spec.spawnRate, runTimeSec: spec.runTimeSec, wait: spec.wait ?? 'between:1,2', timeoutSec: 60, processes: 1
    },
    startedAt: START_MS, endedAt: START_MS + spec.runTimeSec * 1000 + 800, durationSec: spec.runTimeSec + 0.8, interrupted: false,
    endpoints: [{ ...aggregated, name: '/score' }], aggregated,
    statusCounts: { '200': total - failuresTotal }, history, errors: spec.errors ?? [], exceptions: [], dropped: 0,
    generator: { processes: 1, cpuPercentAvg: spec.saturated ? 97 : 20, cpuPercentMax: spec.saturated ? 99 : (spec.generatorCpuMax ?? 30), rssMaxBytes: 1e8, saturated: Boolean(spec.saturated) },
    histograms: {}
  }
}

export function syntheticMeta(name: string, kind: VariantKind, extra: Partial<VariantMeta> = {}): VariantMeta {
  return {
    version: BENCH_DATA_VERSION, name, kind, target: name, url: 'http://127.0.0.1:1/score', services: [],
    load: { users: 500, spawnRate: 50, runTimeSec: 60, wait: 'between:1,2', method: 'POST', path: '/score' },
    declaredServiceTimeSec: 1.25, warmupMs: [1300, 1252, 1251, 1253], status: 'ok', startedAt: START_MS - 5000, endedAt: START_MS + 61_000,
    ...extra
  }
}

/** A process using `cpuPercent` of a core steadily from 2 s before the load to 2 s after it. */
export function steadyProcess(role: ProcessSeries['role'], label: string, cpuPercent: number, seconds: number, rssMiB = 80): ProcessSeries {
  const samples = []
  for (let i = -2; i <= seconds + 2; i++) {
    samples.push({ t: START + i, cpuMs: (i + 2) * cpuPercent * 10, cpuPercent, rssBytes: rssMiB * 1048576 })
  }
  return { role, service: role === 'generator' ? 'generator' : label, label, pid: 1000 + samples.length, samples }
}

export function metricsSeries(seconds: number, at: (i: number) => Partial<MetricsSample>): MetricsSample[] {
  const out: MetricsSample[] = []
  for (let i = 0; i <= seconds; i++) {
    out.push({
      t: START + i, runsInProgress: 0, queueDepth: 0, rejectedTotal: 0, poolThreads: 0, poolRunning: 0, poolQueue: 0,
      poolUtilization: 0, eventLoopDelaySec: 0.001, ...at(i)
    })
  }
  return out
}

export function syntheticSamples(parts: Partial<VariantSamples>): VariantSamples {
  return { version: BENCH_DATA_VERSION, intervalSec: 1, cores: 2, processes: [], metrics: [], machine: [], nodeTimings: [], ...parts }
}

export function machineBusy(seconds: number, percent: number) {
  return Array.from({ length: seconds + 1 }, (_, i) => ({ t: START + i, busyPercent: percent }))
}

/** A bench folder as `floodgate bench` leaves it (manifest, variant.json, result.json, samples.json), no CSVs. */
export function writeSyntheticBench(dir: string): void {
  const variants = [
    {
      meta: syntheticMeta('static-async', 'async', { workers: 2, threads: 4 }),
      result: syntheticResult({ users: 500, spawnRate: 50, runTimeSec: 60, rps: 181.82, medianMs: 1254, p99Ms: 1270 }),
      samples: syntheticSamples({
        processes: [steadyProcess('server', 'static-async', 3, 61), steadyProcess('server', 'static-async worker 1', 10, 61),
          steadyProcess('service', 'mock', 5, 61), steadyProcess('generator', 'generator', 25, 61)],
        metrics: metricsSeries(60, (i) => ({ poolThreads: 8, runsInProgress: Math.min(i, 10) * 22 })),
        machine: machineBusy(61, 30)
      })
    },
    {
      meta: syntheticMeta('static-sync', 'pool_threads', { workers: 8, threads: 8, maxConcurrency: 0 }),
      result: syntheticResult({ users: 500, spawnRate: 50, runTimeSec: 60, rps: 41, medianMs: 8200, p99Ms: 25000 }),
      samples: syntheticSamples({
        processes: [steadyProcess('server', 'static-sync', 60, 61), steadyProcess('generator', 'generator', 8, 61)],
        metrics: metricsSeries(60, (i) => ({
          poolRunSlots: 64, poolRuns: 64, poolRunsWaiting: i * 7, poolThreads: 110, poolThreadsMax: 192, poolRunning: 90, runsInProgress: 64 + i * 7
        })),
        nodeTimings: [{ node: 'chat', count: 4, meanSec: 1 }, { node: 'node1', count: 4, meanSec: 0.25 },
          { node: 'node2', count: 4, meanSec: 0.25 }, { node: 'node3', count: 4, meanSec: 0.25 }],
        machine: machineBusy(61, 45)
      })
    }
  ]
  const manifest: BenchManifest = {
    version: BENCH_DATA_VERSION, tool: 'floodgate', name: 'synthetic', config: 'bench.yaml', full: false,
    createdAt: new Date(START_MS).toISOString(),
    machine: { cores: 2, memoryBytes: 8 * 1024 ** 3, cpuModel: 'test CPU', node: process.versions.node, platform: 'linux-x64' },
    variants: [...variants.map((v) => v.meta.name), 'broken']
  }
  mkdirSync(dir, { recursive: true })
  writeJson(join(dir, MANIFEST), manifest)
  for (const v of variants) {
    const files = variantFiles(dir, v.meta.name)
    mkdirSync(files.dir, { recursive: true })
    writeJson(files.meta, v.meta)
    writeJson(files.result, v.result)
    writeJson(files.samples, v.samples)
  }
  const broken = variantFiles(dir, 'broken')
  mkdirSync(broken.dir, { recursive: true })
  writeJson(broken.meta, syntheticMeta('broken', 'async', { status: 'failed', error: 'broken: service broken: exited with code 1 before it was ready' }))
}
