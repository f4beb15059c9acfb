// What `floodgate bench` saves per variant besides the load generator's LoadResult and Locust CSVs, and
// what `floodgate report <dir>` reads back. A contract between src/bench (writer) and src/report
// (reader): add fields freely, never change a meaning; bump BENCH_DATA_VERSION if a reader would misread.
import type { LoadResult } from '../../load/result.js'

export const BENCH_DATA_VERSION = 1

/** How the analysis models the server under test. */
export type VariantKind =
  /** Requests go straight to the mock (the study's test-mock baseline). */
  | 'direct'
  /** A flow with sync tools: `threads` runs at once per worker (capacity = workers x threads / run time). */
  | 'pool_threads'
  /** A flow whose tools are async (event loop); no thread pool limits it. */
  | 'async'
  /** A service Floodgate did not start (--target URL): no process or /metrics samples. */
  | 'external'

/** Which process tree a sampled process belongs to. */
export type ProcessRole =
  /** The service the load targets (its primary and workers). Server CPU per request counts these. */
  | 'server'
  /** Another service the variant started (e.g. the mock behind a flow). */
  | 'service'
  /** The `floodgate load` process(es). */
  | 'generator'

export interface ProcessSample {
  /** Epoch seconds. */
  t: number
  /** CPU time (user + system) since the process started, milliseconds. */
  cpuMs: number
  /** CPU since the previous sample, percent of one core. */
  cpuPercent: number
  rssBytes: number
}

export interface ProcessSeries {
  role: ProcessRole
  service: string
  /** "static-sync primary", "static-sync worker 1234", "mock", "generator". */
  label: string
  pid: number
  samples: ProcessSample[]
}

/** One scrape of the server's /metrics; null where the server does not export the metric. */
export interface MetricsSample {
  t: number
  runsInProgress: number | null
  queueDepth: number | null
  rejectedTotal: number | null
  poolThreads: number | null
  poolRunning: number | null
  poolQueue: number | null
  poolUtilization: number | null
  eventLoopDelaySec: number | null
  /** Runs of a flow with sync tools that may execute at once (workers x threads); absent in older data. */
  poolRunSlots?: number | null
  /** Runs holding one of those slots. */
  poolRuns?: number | null
  /** Runs waiting for a slot. */
  poolRunsWaiting?: number | null
  /** The most threads the pools may start (widest set of parallel sync nodes x slots). */
  poolThreadsMax?: number | null
}

export interface MachineSample {
  t: number
  /** Busy share of all cores since the previous sample, 0..100 (every program on the machine). */
  busyPercent: number
}

/** Mean duration of one node of the flow, from the server's floodgate_node_duration_seconds. */
export interface NodeTiming {
  node: string
  count: number
  meanSec: number
}

export interface VariantSamples {
  version: typeof BENCH_DATA_VERSION
  intervalSec: number
  cores: number
  processes: ProcessSeries[]
  metrics: MetricsSample[]
  machine: MachineSample[]
  /** Node timings scraped after the warm-up, before the load: the flow's service time at low load. */
  nodeTimings: NodeTiming[]
}

export interface ServiceInfo {
  name: string
  type: 'mock' | 'serve' | 'url'
  url: string
  /** The command line after `floodgate` (empty for url services). */
  args: string[]
}

export interface VariantMeta {
  version: typeof BENCH_DATA_VERSION
  name: string
  kind: VariantKind
  target: string
  url: string
  services: ServiceInfo[]
  /** Pool size of the target when known from its serve options (workers x threads). */
  workers?: number
  threads?: number
  /** The target's --max-concurrency: 0 unlimited, undefined when Floodgate's default applies. */
  maxConcurrency?: number
  load: { users: number; spawnRate: number; runTimeSec: number; wait: string; method: string; path: string }
  /** Declared in bench.yaml (service_time), seconds. */
  declaredServiceTimeSec?: number
  /** Latencies of the sequential warm-up requests, ms (the first one excluded from the low-load figure). */
  warmupMs: number[]
  status: 'ok' | 'failed' | 'interrupted'
  error?: string
  startedAt: number
  endedAt: number
}

export interface BenchManifest {
  version: typeof BENCH_DATA_VERSION
  tool: 'floodgate'
  name: string
  config: string
  full: boolean
  createdAt: string
  machine: { cores: number; memoryBytes: number; cpuModel: string; node: string; platform: string }
  variants: string[]
}

/** Everything saved for one variant; result and samples are absent when the variant failed early. */
export interface VariantRecord {
  meta: VariantMeta
  result?: LoadResult
  samples?: VariantSamples
}
