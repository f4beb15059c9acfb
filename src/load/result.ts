// LoadResult: the one format shared by load, report, bench and merge (its JSON is `floodgate load --json`).
// A contract between folders: add fields freely, but never change the meaning of one; bump
// LOAD_RESULT_VERSION when a reader of an older file would misread a newer one.

import type { HistoryLlm, LlmResult, StreamMode } from './llm-result.js'
import type { ArrivalKind } from './arrival-schedule.js'

export type { DistributionResult } from './distribution.js'
export type { HistoryLlm, LlmResult, StreamMode } from './llm-result.js'

/**
 * 2: streaming measurements (`llm`, `HistoryPoint.llm`) and the open loop's arrival process. Version 1
 * files (no streaming figures) are still read, merged and reported.
 */
export const LOAD_RESULT_VERSION = 2
export const LOAD_RESULT_VERSIONS_READ: readonly number[] = [1, 2]

/** Locust's percentile columns, in order. Keys of `percentiles` below are these numbers as strings. */
export const LOCUST_PERCENTILES = [50, 66, 75, 80, 90, 95, 98, 99, 99.9, 99.99, 100] as const

export interface LoadConfig {
  url: string
  method: string
  name: string
  mode: 'closed' | 'open'
  users: number
  spawnRate: number
  runTimeSec: number
  /** As given: "between:1,2", "constant:1", "throughput:2", "pacing:3", "none". */
  wait: string
  rate?: number
  rampTo?: number
  maxInFlight?: number
  timeoutSec: number
  processes: number
  scenario?: string
  /** `I/N` when this result is one shard of a distributed run. */
  shard?: string
  /** How responses were read as streams (absent in version 1: none were). */
  stream?: StreamMode
  /** Open loop: constant (n / rate) or poisson (gamma gaps of shape `burstiness`, seeded by `seed`). */
  arrival?: ArrivalKind
  burstiness?: number
  seed?: number
  /** --slo expressions goodput is measured against. */
  slo?: string[]
  /** --openai runs: the model and how prompts were made ("file.jsonl (N prompts)" or "N synthetic words"). */
  openai?: { model: string; prompts: string; maxTokens?: number }
  /** Seconds requests in flight had to finish after the run time (default 2). */
  drainSec?: number
}

export interface EndpointStats {
  method: string
  /** Locust's Name column: the request name (default: the URL path). "Aggregated" for the total row. */
  name: string
  requests: number
  failures: number
  /** Response times in milliseconds (fractional, microsecond resolution). */
  minMs: number
  maxMs: number
  meanMs: number
  medianMs: number
  avgContentBytes: number
  /** Over the whole run's duration. */
  rps: number
  failuresPerSec: number
  /** "50" -> ms, ..., "99.99" -> ms, "100" -> ms, from the HDR histogram (3 significant digits). */
  percentiles: Record<string, number>
}

/** One row per second of the run. Window figures cover only that second. */
export interface HistoryPoint {
  /** Epoch seconds at the end of the window. */
  t: number
  users: number
  requests: number
  failures: number
  /** Window rates (requests and failures completed in that second). */
  rps: number
  failuresPerSec: number
  /** Window percentiles in ms; null when the window had no requests. */
  p50: number | null
  p95: number | null
  p99: number | null
  /** Requests in flight at the end of the window. */
  inFlight: number
  /** Running totals since start, for Locust's history columns. */
  totalRequests: number
  totalFailures: number
  /** Running count of 503 answers (a server refusing at capacity); absent in older results. */
  totalRefused?: number
  /**
   * The window's HDR histogram (encoded like `histograms`, microseconds), so merged runs get exact
   * window percentiles and the history CSV can write all 11 percentile columns. Absent in hand-made results.
   */
  histogram?: string
  /** Running totals since start (ms, bytes), for Locust's "Total ..." history columns. */
  totalMedianMs?: number
  totalAvgMs?: number
  totalMinMs?: number
  totalMaxMs?: number
  totalAvgContentBytes?: number
  /** Generator CPU over this window, percent of one core (summed over processes), and RSS in bytes. */
  cpuPercent?: number
  rssBytes?: number
  /** Streaming figures of this second, once a stream was measured (version 2). */
  llm?: HistoryLlm
}

export type ErrorKind =
  | 'refused'
  | 'reset'
  | 'timeout'
  | 'http'
  | 'dns'
  | 'closed'
  | 'exception'
  /** A 2xx event stream that was cut, sent an error event or no content (see stream-reader.ts). */
  | 'stream'
  | 'other'

export interface ErrorEntry {
  method: string
  name: string
  kind: ErrorKind
  /** Locust-like text: "HTTPError('503 Server Error')", "ConnectionResetError(...)", ... */
  error: string
  /** The HTTP status when kind is 'http'. */
  status?: number
  occurrences: number
}

export interface ExceptionEntry {
  count: number
  message: string
  traceback: string
}

export interface GeneratorStats {
  processes: number
  /** CPU of the generator process(es), percent of one core, average and max over the run. */
  cpuPercentAvg: number
  cpuPercentMax: number
  rssMaxBytes: number
  /** Set when the generator itself was saturated (CPU above 90% of a core): results may be the limit of the generator. */
  saturated: boolean
  /** CPU time the generator process(es) spent over the run, seconds (absent in older results). */
  cpuSec?: number
}

export interface LoadResult {
  /** LOAD_RESULT_VERSION when written by this floodgate; older versions are read too. */
  version: number
  tool: 'floodgate'
  config: LoadConfig
  /** Epoch ms. */
  startedAt: number
  endedAt: number
  durationSec: number
  interrupted: boolean
  /** One entry per (method, name), plus `aggregated` for all. */
  endpoints: EndpointStats[]
  aggregated: EndpointStats
  /** Count by HTTP status (as string) across all requests; "0" for requests with no response. */
  statusCounts: Record<string, number>
  history: HistoryPoint[]
  errors: ErrorEntry[]
  exceptions: ExceptionEntry[]
  /** Open loop only: scheduled requests not sent because --max-in-flight was reached. */
  dropped: number
  /** Requests still in flight when the run ended and the 2 s grace ran out: sent, never answered, not recorded. */
  abandoned?: number
  generator: GeneratorStats
  /**
   * HDR histograms encoded with hdr-histogram-js's encodeIntoCompressedBase64, values in microseconds.
   * Keys: "<METHOD> <name>" per endpoint, and "Aggregated". Merging adds these, never averages.
   */
  histograms: Record<string, string>
  /** Time to first byte of every response, and the streaming (LLM) figures; absent in version 1. */
  llm?: LlmResult
  /**
   * Derived from `llm` for readers of the file: vLLM's result fields (llm-stats.ts), when some response
   * was read as a stream. Written, never read back (reports recompute it).
   */
  llmStats?: Record<string, number | string | null>
}
