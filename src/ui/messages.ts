// What the live page receives: one LiveMessage per second over Server-Sent Events (GET /api/events),
// and the same object from GET /api/state. Shared by the server and the page's script (types only).
import type { ErrorEntry, ExceptionEntry } from '../load/index.js'

export type UiKind = 'load' | 'bench' | 'status'
export type RunState = 'ready' | 'running' | 'stopping' | 'stopped'

/** One second of the running test, for the charts (x = t). */
export interface ChartPoint {
  /** Epoch seconds at the end of the second. */
  t: number
  users: number
  inFlight: number
  rps: number
  failuresPerSec: number
  p50: number | null
  p95: number | null
  p99: number | null
  cpuPercent: number | null
  /** Streams only. */
  ttftP50?: number | null
  ttftP95?: number | null
  tokensPerSec?: number
}

/** Locust's statistics table row (one per name, then Aggregated). Times in ms. */
export interface StatsRow {
  method: string
  name: string
  requests: number
  failures: number
  medianMs: number
  p95Ms: number
  p99Ms: number
  meanMs: number
  minMs: number
  maxMs: number
  avgContentBytes: number
  /** Over the last second. */
  currentRps: number
  currentFailuresPerSec: number
}

/** The streams' totals so far (ms, tokens/s), when some response was read as a stream. */
export interface StreamTotals {
  streamed: number
  completed: number
  ttftP50: number | null
  ttftP95: number | null
  ttftP99: number | null
  itlP50: number | null
  outputTokens: number
  outputTokensPerSec: number
  goodputPerSec: number | null
}

/** The values a start (or an edit) uses; the page's forms start from these. */
export interface StartForm {
  host: string
  users: number
  spawnRate: number
  runTime: string
  rate?: number
}

export interface BenchVariantRow {
  name: string
  status: 'waiting' | 'running' | 'ok' | 'failed' | 'interrupted'
  requests: number
  failures: number
  rps: number
  p50: number | null
  p95: number | null
  /** The analysis's verdict once the variant ended (kind: the rule that decided it). */
  verdict?: { kind: string; text: string }
}

/** A command's own table (capacity: one row per finished step); `kind` colours a row: ok, failed, running, interrupted. */
export interface StatusTable {
  columns: string[]
  rows: { cells: string[]; kind?: BenchVariantRow['status'] }[]
}

export interface Download {
  label: string
  /** Relative to the page (the page adds its token). */
  href: string
}

export interface LiveMessage {
  kind: UiKind
  title: string
  state: RunState
  /** Increases with each test started from this process (the page clears its charts on a new one). */
  run: number
  mode: 'closed' | 'open'
  /** Epoch ms the running (or last) test started. */
  startedAt: number | null
  /** What the Start and Edit forms offer (closed loop: users and spawn rate; open loop: rate). */
  form: StartForm
  canStart: boolean
  canEdit: boolean
  canStop: boolean
  /** New seconds since the previous message; the first message to a page has all of this run's. */
  points: ChartPoint[]
  stats: StatsRow[]
  errors: ErrorEntry[]
  exceptions: ExceptionEntry[]
  streams: StreamTotals | null
  events: { at: number; text: string }[]
  downloads: Download[]
  /** The last thing that happened: where the outputs were written, or why a start failed. */
  notice: string
  bench?: BenchVariantRow[]
  /** A command's own status lines (capacity: the step running, the capacity found so far). */
  status?: { label: string; value: string }[]
  /** Below the status lines (capacity: its steps). */
  statusTable?: StatusTable
}
