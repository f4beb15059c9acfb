// The bench analysis: measurements in, numbers and verdicts out. Pure (no I/O, no clock), so it can be
// tested on recorded or synthetic results. The method and its formulas are in docs/bench.md.
import type { ErrorEntry, LoadResult } from '../../load/result.js'
import type { MetricsSample, ProcessSeries, VariantMeta, VariantSamples } from './data.js'
import { decodeHistogram, parseWait, percentileMs, type WaitSpec } from '../../load/index.js'
import { fmtCount, fmtMs, fmtPct, fmtRate, fmtSec } from './format.js'

export type FindingKind =
  | 'backpressure'
  | 'admission'
  | 'generator-bound'
  | 'machine-bound'
  | 'failing'
  | 'healthy'
  | 'below-ideal'
  | 'no-data'

export interface Finding {
  kind: FindingKind
  /** One sentence whose every figure comes from the measurements. */
  text: string
}

export interface ErrorExplanation {
  /** "reset", "503", "timeout", "refused", "closed", "http 500", ... */
  label: string
  count: number
  /** Of all requests, 0..1. */
  share: number
  text: string
}

export interface PoolAnalysis {
  /** Runs that may execute at once over all the server's processes: workers x threads. */
  runSlots: number
  /** Mean over the load window of runs holding a slot / slots, 0..1. */
  busyAvg: number
  /** Share of samples with every slot taken, 0..1. */
  fullShare: number
  /** Most runs waiting for a slot in one sample. */
  runsWaitingMax: number
  /** Most pool threads in one sample (they start on demand), and the most the pools may start. */
  threadsPeak: number
  threadsMax: number | null
  /** Most sync tasks waiting for a pool thread in one sample (a thread starting up). */
  queueMax: number
  /** One run's time at low load, its critical path: the warm-up's service time, else the declared one. */
  runTimeSec: number | null
  /** runSlots / runTimeSec: a run holds its slot from its first node to its last. */
  capacityRps: number | null
}

export interface CpuAnalysis {
  /** Target service's processes over the load window, percent of one core. */
  serverPercent: number | null
  serverMsPerRequest: number | null
  generatorPercent: number | null
  servicesPercent: number | null
  /** Every sampled process of the variant, percent of the machine (all cores). */
  oursPercentOfMachine: number | null
  /** Whole machine busy (every program), percent of all cores, mean over the load window. */
  machineBusyPercent: number | null
  serverRssMaxBytes: number | null
}

export interface VariantAnalysis {
  name: string
  requests: number
  failures: number
  serviceTimeSec: number | null
  serviceTimeSource: 'declared' | 'warm-up' | 'none'
  /** Median of the warm-up requests (first excluded), seconds. */
  lowLoadSec: number | null
  /** Seconds a user spends between two requests (mean), or the pacing period for pacing waits. */
  meanWaitSec: number
  /** Users averaged over the run, spawn ramp included. */
  avgUsers: number
  idealRps: number | null
  /** Successful requests per second completed while users were sending (the run time). */
  achievedRps: number
  percentOfIdeal: number | null
  medianOverheadMs: number | null
  p99OverheadMs: number | null
  cpu: CpuAnalysis
  pool: PoolAnalysis | null
  queueDepthMax: number | null
  runsInProgressMax: number | null
  rejectedByServer: number | null
  inFlightMax: number
  errors: ErrorExplanation[]
  findings: Finding[]
  verdict: Finding
}

export interface WaitModel {
  /** Mean think time added to each cycle, seconds. */
  meanSec: number
  /** For pacing waits: the cycle lasts max(pacing, response time). */
  pacingSec: number | null
}

/** The closed-loop cycle of a user under `floodgate load --wait` (Locust's wait_time functions). */
export function waitModel(wait: string): WaitModel {
  let spec: WaitSpec
  try {
    spec = parseWait(wait)
  } catch {
    return { meanSec: 0, pacingSec: null }
  }
  switch (spec.kind) {
    case 'between':
      return { meanSec: (spec.min + spec.max) / 2, pacingSec: null }
    case 'constant':
      return { meanSec: spec.seconds, pacingSec: null }
    case 'pacing':
      return { meanSec: 0, pacingSec: spec.seconds }
    case 'throughput':
      return { meanSec: 0, pacingSec: 1 / spec.perSecond }
    case 'none':
      return { meanSec: 0, pacingSec: null }
  }
}

/**
 * The seconds in which users were sending: the run time, or up to the end when interrupted. Requests
 * still in flight at the end finish during the generator's short drain; counting them would credit
 * each user with a cycle it did not complete (see docs/bench.md).
 */
export function activeWindow(result: LoadResult): { start: number; end: number } {
  const start = result.startedAt / 1000
  const end = result.interrupted ? result.endedAt / 1000 : Math.min(result.endedAt / 1000, start + result.config.runTimeSec)
  return { start, end }
}

/** History points are windows ending at `t`: only whole windows inside the active time count (50 ms of timer slack allowed). */
const within = (t: number, end: number) => t <= end + 0.05

/** Users averaged over the active window: the area under the users curve (linear between seconds, 0 at the start) / its length. */
export function averageUsers(result: LoadResult): number {
  const history = result.history
  if (history.length === 0) return result.config.users
  const { start, end } = activeWindow(result)
  let prevT = start
  let prevUsers = 0
  let area = 0
  for (const point of history) {
    if (!within(point.t, end)) break
    const t = Math.min(point.t, end)
    area += (Math.max(0, t - prevT) * (prevUsers + point.users)) / 2
    prevT = t
    prevUsers = point.users
  }
  const span = prevT - start
  return span > 0 ? area / span : prevUsers
}

/** Successful requests per second completed in the active window (from the per-second history). */
export function achievedThroughput(result: LoadResult): number {
  const { start, end } = activeWindow(result)
  const points = result.history.filter((h) => within(h.t, end))
  if (points.length === 0) {
    const agg = result.aggregated
    return result.durationSec > 0 ? (agg.requests - agg.failures) / result.durationSec : 0
  }
  const ok = points.reduce((sum, h) => sum + h.requests - h.failures, 0)
  const span = Math.min(points.at(-1)!.t, end) - start
  return span > 0 ? ok / span : 0
}

/** The closed-loop law: N users each cycling through service time + wait make N / cycle requests per second. */
export function idealThroughput(avgUsers: number, serviceTimeSec: number, wait: WaitModel): number {
  const cycle = wait.pacingSec === null ? serviceTimeSec + wait.meanSec : Math.max(wait.pacingSec, serviceTimeSec)
  return cycle > 0 ? avgUsers / cycle : Infinity
}

function median(values: number[]): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** The warm-up's low-load service time: median of the sequential requests, the first (cold) one left out. */
export function lowLoadServiceSec(warmupMs: number[]): number | null {
  const warm = warmupMs.length > 1 ? warmupMs.slice(1) : warmupMs
  const m = median(warm)
  return m === null ? null : m / 1000
}

interface Window { start: number; end: number }

/** Cumulative CPU ms at time t, linear between samples; 0 before the process was first seen. */
function cpuAt(samples: ProcessSeries['samples'], t: number): number {
  if (samples.length === 0 || t < samples[0]!.t) return 0
  for (let i = 1; i < samples.length; i++) {
    const b = samples[i]!
    if (b.t >= t) {
      const a = samples[i - 1]!
      return a.cpuMs + ((b.cpuMs - a.cpuMs) * (t - a.t)) / (b.t - a.t || 1)
    }
  }
  return samples.at(-1)!.cpuMs
}

/** CPU milliseconds a process spent inside the window (a process first seen inside it counts from 0). */
export function cpuMsInWindow(series: ProcessSeries, window: Window): number {
  return Math.max(0, cpuAt(series.samples, window.end) - cpuAt(series.samples, window.start))
}

function cpuPercentOf(series: ProcessSeries[], window: Window): number | null {
  if (series.length === 0) return null
  const ms = series.reduce((sum, p) => sum + cpuMsInWindow(p, window), 0)
  const span = window.end - window.start
  return span > 0 ? (ms / 1000 / span) * 100 : null
}

function inWindow<T extends { t: number }>(samples: T[], window: Window): T[] {
  return samples.filter((s) => s.t >= window.start && s.t <= window.end + 0.5)
}

function maxOf(samples: MetricsSample[], pick: (s: MetricsSample) => number | null): number | null {
  let max: number | null = null
  for (const s of samples) {
    const v = pick(s)
    if (v !== null && (max === null || v > max)) max = v
  }
  return max
}

function analyzeCpu(result: LoadResult, samples: VariantSamples | undefined, window: Window): CpuAnalysis {
  const none: CpuAnalysis = {
    serverPercent: null, serverMsPerRequest: null, generatorPercent: null, servicesPercent: null,
    oursPercentOfMachine: null, machineBusyPercent: null, serverRssMaxBytes: null
  }
  if (!samples) return none
  const byRole = (role: string) => samples.processes.filter((p) => p.role === role)
  const server = byRole('server')
  const serverPercent = cpuPercentOf(server, window)
  const serverMs = server.reduce((sum, p) => sum + cpuMsInWindow(p, window), 0)
  const all = cpuPercentOf(samples.processes, window)
  const machine = inWindow(samples.machine, window)
  // RSS of the whole server tree at each sample time, then the peak.
  const rssByT = new Map<number, number>()
  for (const p of server) for (const s of inWindow(p.samples, window)) rssByT.set(s.t, (rssByT.get(s.t) ?? 0) + s.rssBytes)
  return {
    serverPercent,
    serverMsPerRequest: server.length && result.aggregated.requests ? serverMs / result.aggregated.requests : null,
    generatorPercent: cpuPercentOf(byRole('generator'), window),
    servicesPercent: cpuPercentOf(byRole('service'), window),
    oursPercentOfMachine: all === null ? null : all / samples.cores,
    machineBusyPercent: machine.length ? machine.reduce((s, m) => s + m.busyPercent, 0) / machine.length : null,
    serverRssMaxBytes: rssByT.size ? Math.max(...rssByT.values()) : null
  }
}

/** The run slots of a flow with sync tools, from the server's pool metrics (absent before they existed). */
function analyzePool(meta: VariantMeta, metrics: MetricsSample[], runTimeSec: number | null): PoolAnalysis | null {
  const withSlots = metrics.filter((m) => (m.poolRunSlots ?? 0) > 0 && m.poolRuns !== undefined && m.poolRuns !== null)
  if (meta.kind !== 'pool_threads' || withSlots.length === 0) return null
  const runSlots = maxOf(withSlots, (m) => m.poolRunSlots ?? null) ?? 0
  const busy = withSlots.map((m) => m.poolRuns! / m.poolRunSlots!)
  return {
    runSlots,
    busyAvg: busy.reduce((a, b) => a + b, 0) / busy.length,
    fullShare: busy.filter((b) => b >= 1).length / busy.length,
    runsWaitingMax: maxOf(withSlots, (m) => m.poolRunsWaiting ?? null) ?? 0,
    threadsPeak: maxOf(withSlots, (m) => m.poolThreads) ?? 0,
    threadsMax: maxOf(withSlots, (m) => m.poolThreadsMax ?? null),
    queueMax: maxOf(withSlots, (m) => m.poolQueue) ?? 0,
    runTimeSec,
    capacityRps: runTimeSec ? runSlots / runTimeSec : null
  }
}

const ERROR_TEXT: Record<string, string> = {
  reset: 'connection reset by the server or its kernel (ECONNRESET; Locust shows ConnectionResetError(104)): the server dropped connections it had accepted, typically when its accept backlog overflows or a worker dies',
  closed: 'the server closed the connection before answering (Locust shows RemoteDisconnected)',
  refused: 'connection refused (ECONNREFUSED): nothing was listening, the server was down or restarting',
  timeout: 'no answer within the load generator\'s timeout',
  dns: 'the host name did not resolve',
  exception: 'the user scenario threw',
  stream: 'the event stream failed after a 2xx answer: cut mid-way, an error event, or no content (events received before a cut still count in TTFT and ITL)',
  other: 'an error the load generator could not classify'
}

function explainError(label: string, count: number, share: number, result: LoadResult, rejectedByServer: number | null): string {
  const head = `${fmtCount(count)} (${fmtPct(share * 100, 2)} of requests)`
  if (label === '503') {
    const byAdmission = rejectedByServer !== null && rejectedByServer > 0
      ? `the server's admission control rejected them at once with Retry-After (it counted ${fmtCount(rejectedByServer)} rejections): it was at its limit of runs in progress plus queue`
      : 'the target answered 503 Service Unavailable (not counted by a Floodgate admission metric)'
    return `503: ${head}; ${byAdmission}`
  }
  if (label === 'timeout') return `timeout: ${head}; ${ERROR_TEXT.timeout} (${fmtSec(result.config.timeoutSec)})`
  if (label.startsWith('http ')) return `${label}: ${head}; the server answered HTTP ${label.slice(5)}`
  return `${label}: ${head}; ${ERROR_TEXT[label] ?? ERROR_TEXT.other}`
}

function analyzeErrors(result: LoadResult, rejectedByServer: number | null): ErrorExplanation[] {
  const counts = new Map<string, number>()
  const add = (label: string, n: number) => counts.set(label, (counts.get(label) ?? 0) + n)
  for (const e of result.errors as ErrorEntry[]) {
    if (e.kind === 'http') add(e.status === 503 ? '503' : `http ${e.status ?? '?'}`, e.occurrences)
    else add(e.kind, e.occurrences)
  }
  const total = result.aggregated.requests || 1
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([label, count]) => ({ label, count, share: count / total, text: explainError(label, count, count / total, result, rejectedByServer) }))
}

interface Context {
  a: VariantAnalysis
  meta: VariantMeta
  result: LoadResult
  cores: number
  medianMs: number
}

function backpressure({ a, meta, medianMs }: Context): Finding | null {
  const slow = a.percentOfIdeal !== null && a.percentOfIdeal < 90
  const waitSec = a.serviceTimeSec === null ? null : medianMs / 1000 - a.serviceTimeSec
  const pool = a.pool
  if (pool && slow && pool.busyAvg >= 0.9) {
    const size = meta.workers && meta.threads ? ` (${meta.workers} workers x ${meta.threads} threads)` : ''
    const queued = [
      pool.runsWaitingMax > 0 ? `runs waiting for a slot grew to ${fmtCount(pool.runsWaitingMax)}` : null,
      a.runsInProgressMax !== null ? `runs in progress to ${fmtCount(a.runsInProgressMax)}` : null,
      a.queueDepthMax ? `admission queue to ${fmtCount(a.queueDepthMax)}` : null
    ].filter(Boolean).join(', ')
    return {
      kind: 'backpressure',
      text: `backpressure: all ${fmtCount(pool.runSlots)} run slots${size} taken ${fmtPct(pool.fullShare * 100, 0)} of the time ` +
        `(${fmtPct(pool.busyAvg * 100, 0)} on average)${queued ? `, ${queued}` : ''}` +
        `${waitSec !== null ? `; median wait ${fmtSec(waitSec)}` : ''}; ${fmtRate(a.achievedRps)}${againstCapacity(pool, a.achievedRps)}` +
        `, ${fmtPct(a.percentOfIdeal!, 0)} of the ideal ${fmtRate(a.idealRps!)}`
    }
  }
  // Without pool metrics: requests pile up in flight and wait far longer than they take.
  if (!pool && slow && waitSec !== null && a.serviceTimeSec !== null && waitSec > Math.max(0.5, a.serviceTimeSec)) {
    const running = a.runsInProgressMax !== null ? `runs in progress grew to ${fmtCount(a.runsInProgressMax)}` : `requests in flight grew to ${fmtCount(a.inFlightMax)}`
    return {
      kind: 'backpressure',
      text: `backpressure: ${running}, median wait ${fmtSec(waitSec)} on top of a ${fmtSec(a.serviceTimeSec)} service time; ` +
        `${fmtRate(a.achievedRps)}, ${fmtPct(a.percentOfIdeal!, 0)} of the ideal ${fmtRate(a.idealRps!)}`
    }
  }
  return null
}

/** " against a pool capacity of 50.79 req/s (64 runs at once / 1.26 s per run; 98% of it)", or nothing. */
function againstCapacity(pool: PoolAnalysis, rps: number): string {
  if (pool.capacityRps === null || pool.runTimeSec === null) return ''
  return ` against a pool capacity of ${fmtRate(pool.capacityRps)} (${fmtCount(pool.runSlots)} runs at once / ${fmtSec(pool.runTimeSec)} per run; ` +
    `${fmtPct((rps / pool.capacityRps) * 100, 0)} of it)`
}

function admission({ a, result }: Context): Finding | null {
  const e503 = a.errors.find((e) => e.label === '503')
  if (!e503) return null
  const ok = result.aggregated.requests - result.aggregated.failures
  const retry = a.rejectedByServer ? ' with Retry-After' : ''
  return {
    kind: 'admission',
    text: `admission: ${fmtCount(e503.count)} requests (${fmtPct(e503.share * 100, 1)}) answered 503${retry} at once instead of queueing; ` +
      `the ${fmtCount(ok)} admitted were served at ${fmtRate(a.achievedRps)}${a.pool ? againstCapacity(a.pool, a.achievedRps) : ''}` +
      `${a.medianOverheadMs !== null ? `, their median overhead ${fmtMs(a.medianOverheadMs)}` : ''}` +
      `${a.runsInProgressMax !== null ? `, at most ${fmtCount(a.runsInProgressMax)} runs in progress` : ''}`
  }
}

function generatorBound({ a, result }: Context): Finding | null {
  const cpu = a.cpu.generatorPercent
  // One busy second (users spawning) does not make a run that reached its ideal generator-bound.
  const short = a.percentOfIdeal === null || a.percentOfIdeal < 97
  const saturated = result.generator.saturated || (result.generator.cpuPercentMax >= 90 && short)
  if (!saturated) return null
  return {
    kind: 'generator-bound',
    text: `generator-bound: the load generator used up to ${fmtPct(result.generator.cpuPercentMax, 0)} of a core` +
      `${cpu !== null ? ` (${fmtPct(cpu, 0)} on average)` : ''}; the figures may be its limit, not the server's`
  }
}

function machineBound({ a, cores }: Context): Finding | null {
  const busy = a.cpu.machineBusyPercent
  const ours = a.cpu.oursPercentOfMachine
  const high = (busy !== null && busy >= 90) || (ours !== null && ours >= 85)
  if (!high || (a.percentOfIdeal !== null && a.percentOfIdeal >= 97)) return null
  const parts = [
    a.cpu.serverPercent !== null ? `server ${fmtPct(a.cpu.serverPercent, 0)} of a core` : null,
    a.cpu.servicesPercent !== null ? `other services ${fmtPct(a.cpu.servicesPercent, 0)}` : null,
    a.cpu.generatorPercent !== null ? `generator ${fmtPct(a.cpu.generatorPercent, 0)}` : null
  ].filter(Boolean).join(', ')
  return {
    kind: 'machine-bound',
    text: `machine-bound: the ${cores} cores were ${fmtPct(busy ?? ours ?? 0, 0)} busy` +
      `${ours !== null && busy !== null ? ` (this bench's processes ${fmtPct(ours, 0)}${ours < busy / 2 ? '; other programs used the rest' : ''})` : ''}` +
      `${parts ? `: ${parts}` : ''}` +
      `${a.percentOfIdeal !== null ? `; ${fmtPct(a.percentOfIdeal, 0)} of the ideal ${fmtRate(a.idealRps!)}` : ''}`
  }
}

function failing({ a }: Context): Finding | null {
  const conn = a.errors.filter((e) => e.label !== '503')
  const count = conn.reduce((s, e) => s + e.count, 0)
  if (count === 0) return null
  return {
    kind: 'failing',
    text: `failing: ${conn.map((e) => `${fmtCount(e.count)} ${e.label}`).join(', ')} (${fmtPct((count / (a.requests || 1)) * 100, 2)} of requests)`
  }
}

function healthy({ a }: Context): Finding | null {
  if (a.percentOfIdeal === null || a.percentOfIdeal < 97 || a.failures > 0) return null
  const cpu = a.cpu.serverMsPerRequest !== null ? `, ${fmtMs(a.cpu.serverMsPerRequest, 2)} of server CPU per request` : ''
  return {
    kind: 'healthy',
    text: `healthy: ${fmtPct(a.percentOfIdeal, 1)} of the ideal ${fmtRate(a.idealRps!)}` +
      `${a.medianOverheadMs !== null ? `, median overhead ${fmtMs(a.medianOverheadMs)}, p99 overhead ${fmtMs(a.p99OverheadMs!)}` : ''}, no failures${cpu}`
  }
}

function belowIdeal({ a }: Context): Finding {
  if (a.percentOfIdeal === null) {
    return { kind: 'no-data', text: `no verdict: ${a.requests ? 'no service time to compare with (no warm-up and none declared)' : 'no requests were recorded'}` }
  }
  const cpu = [
    a.cpu.serverPercent !== null ? `server CPU ${fmtPct(a.cpu.serverPercent, 0)} of a core` : null,
    a.cpu.machineBusyPercent !== null ? `machine ${fmtPct(a.cpu.machineBusyPercent, 0)} busy` : null
  ].filter(Boolean).join(', ')
  return {
    kind: 'below-ideal',
    text: `below ideal: ${fmtPct(a.percentOfIdeal, 1)} of the ideal ${fmtRate(a.idealRps!)} with ${fmtCount(a.failures)} failures` +
      `${a.medianOverheadMs !== null ? `, median overhead ${fmtMs(a.medianOverheadMs)}` : ''}${cpu ? `; ${cpu}` : ''}; no saturated resource was measured`
  }
}

/** Open loop: the mean scheduled rate (linear ramp from rate to rampTo). */
function offeredRate(result: LoadResult): number {
  const rate = result.config.rate ?? 0
  return (rate + (result.config.rampTo ?? rate)) / 2
}

/**
 * Median and p99 of the requests the server actually ran. When some were refused with 503 at once (the
 * only failures, and each faster than the fastest success), they are the bottom of the histogram, so
 * the served requests' percentile q is the whole histogram's at f + (1 - f) q, f the 503 share.
 * Otherwise (no 503s, or other failures mixed in) the whole histogram's figures are used as they are.
 */
function servedPercentiles(result: LoadResult): { medianMs: number; p99Ms: number } {
  const agg = result.aggregated
  const whole = { medianMs: agg.medianMs, p99Ms: agg.percentiles['99'] ?? agg.maxMs }
  const refused = result.errors.filter((e) => e.status === 503).reduce((n, e) => n + e.occurrences, 0)
  const encoded = result.histograms.Aggregated
  if (refused === 0 || refused !== agg.failures || refused >= agg.requests || !encoded) return whole
  const f = refused / agg.requests
  const hist = decodeHistogram(encoded)
  return {
    medianMs: percentileMs(hist, (f + (1 - f) * 0.5) * 100) ?? whole.medianMs,
    p99Ms: percentileMs(hist, (f + (1 - f) * 0.99) * 100) ?? whole.p99Ms
  }
}

/** In order of precedence: the first that applies is the verdict; all that apply are findings. */
const RULES = [admission, backpressure, generatorBound, machineBound, failing, healthy]

export function analyzeVariant(meta: VariantMeta, result: LoadResult, samples?: VariantSamples): VariantAnalysis {
  const window = { start: result.startedAt / 1000, end: result.endedAt / 1000 }
  const agg = result.aggregated
  const lowLoadSec = lowLoadServiceSec(meta.warmupMs)
  const serviceTimeSec = meta.declaredServiceTimeSec ?? lowLoadSec
  const wait = waitModel(result.config.wait)
  const avgUsers = averageUsers(result)
  const idealRps = serviceTimeSec === null
    ? null
    : result.config.mode === 'open'
      ? offeredRate(result)
      : idealThroughput(avgUsers, serviceTimeSec, wait)
  const achievedRps = achievedThroughput(result)
  const metrics = samples ? inWindow(samples.metrics, window) : []
  const rejectedByServer = maxOf(metrics, (m) => m.rejectedTotal)
  const serviceMs = serviceTimeSec === null ? null : serviceTimeSec * 1000
  const served = servedPercentiles(result)
  const a: VariantAnalysis = {
    name: meta.name,
    requests: agg.requests,
    failures: agg.failures,
    serviceTimeSec,
    serviceTimeSource: meta.declaredServiceTimeSec !== undefined ? 'declared' : lowLoadSec !== null ? 'warm-up' : 'none',
    lowLoadSec,
    meanWaitSec: wait.pacingSec ?? wait.meanSec,
    avgUsers,
    idealRps,
    achievedRps,
    percentOfIdeal: idealRps ? (achievedRps / idealRps) * 100 : null,
    medianOverheadMs: serviceMs === null || !agg.requests ? null : served.medianMs - serviceMs,
    p99OverheadMs: serviceMs === null || !agg.requests ? null : served.p99Ms - serviceMs,
    cpu: analyzeCpu(result, samples, window),
    pool: analyzePool(meta, metrics, lowLoadSec ?? serviceTimeSec),
    queueDepthMax: maxOf(metrics, (m) => m.queueDepth),
    runsInProgressMax: maxOf(metrics, (m) => m.runsInProgress),
    rejectedByServer,
    inFlightMax: result.history.reduce((m, h) => Math.max(m, h.inFlight), 0),
    errors: analyzeErrors(result, rejectedByServer),
    findings: [],
    verdict: { kind: 'no-data', text: '' }
  }
  const ctx: Context = { a, meta, result, cores: samples?.cores ?? 0, medianMs: served.medianMs }
  if (agg.requests > 0) {
    for (const rule of RULES) {
      const finding = rule(ctx)
      if (finding) a.findings.push(finding)
    }
  }
  if (a.findings.length === 0) a.findings.push(belowIdeal(ctx))
  a.verdict = a.findings[0]!
  return a
}
