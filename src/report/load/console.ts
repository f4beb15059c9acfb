// What `floodgate load` prints: a live line every 2 s and, at the end, Locust's three tables (request
// statistics, response time percentiles, failures) plus the generator and thresholds. Pure functions
// returning text; the CLI decides where it goes.
import { LOCUST_PERCENTILES, type EndpointStats, type LoadResult } from '../../load/result.js'
import type { LoadTick, ThresholdOutcome } from '../../load/index.js'
import { llmLive, llmReport } from './llm-console.js'

const fixed = (n: number | null, digits = 0) => (n === null || !Number.isFinite(n) ? '-' : n.toFixed(digits))
const ms = (n: number | null) => (n === null ? '-' : n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0))

/**
 * "[  12s/60s] users 500 | reqs 1234 fails 0 (0.0%) | 166.2 req/s 0.0 fail/s | avg 12 ms | p50 11 p95 18 p99 22 ms | in flight 480 | cpu 35%".
 * An open loop has no users (a history point's user count is its requests in flight): its line starts
 * with "open loop" instead.
 */
export function liveLine(tick: LoadTick, mode: 'closed' | 'open' = 'closed'): string {
  const p = tick.point
  const failPct = p.totalRequests ? (p.totalFailures / p.totalRequests) * 100 : 0
  const elapsed = `${Math.round(tick.elapsedSec)}s/${Math.round(tick.totalSec)}s`.padStart(9)
  const who = mode === 'open' ? 'open loop' : `users ${p.users}`
  // Failures that are a server's 503s say why at once: the server is at capacity, not broken.
  const refused = p.totalRefused && p.totalRequests
    ? `, ${((p.totalRefused / p.totalRequests) * 100).toFixed(1)}% refused with 503 (server at capacity: see its --threads/--max-concurrency)`
    : ''
  return `[${elapsed}] ${who} | reqs ${p.totalRequests} fails ${p.totalFailures} (${failPct.toFixed(1)}%)${refused} | ` +
    `${fixed(p.rps, 1)} req/s ${fixed(p.failuresPerSec, 1)} fail/s | avg ${ms(p.totalAvgMs ?? null)} ms | ` +
    `p50 ${ms(p.p50)} p95 ${ms(p.p95)} p99 ${ms(p.p99)} ms${llmLive(p)} | in flight ${p.inFlight} | cpu ${fixed(tick.cpuPercent)}%`
}

function table(header: string[], rows: string[][], leftColumns: number): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (r: string[]) => r.map((c, i) => (i < leftColumns ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd()
  const rule = widths.map((w) => '-'.repeat(w)).join('  ')
  const body = rows.slice(0, -1).map(line)
  const last = rows.length ? [rule, line(rows[rows.length - 1])] : []
  return [line(header), rule, ...body, ...last].join('\n')
}

function rows(result: LoadResult): EndpointStats[] {
  return [...result.endpoints, result.aggregated]
}

export function statsTable(result: LoadResult): string {
  const header = ['Type', 'Name', '# reqs', '# fails', 'Avg', 'Min', 'Max', 'Med', 'req/s', 'failures/s']
  const body = rows(result).map((e) => [e.method, e.name, String(e.requests),
    `${e.failures}(${fixed(e.requests ? (e.failures / e.requests) * 100 : 0, 2)}%)`,
    ms(e.meanMs), ms(e.minMs), ms(e.maxMs), ms(e.medianMs), fixed(e.rps, 2), fixed(e.failuresPerSec, 2)])
  return table(header, body, 2)
}

export function percentilesTable(result: LoadResult): string {
  const header = ['Type', 'Name', ...LOCUST_PERCENTILES.map((p) => `${p}%`), '# reqs']
  const body = rows(result).map((e) => [e.method, e.name,
    ...LOCUST_PERCENTILES.map((p) => (e.requests ? ms(e.percentiles[String(p)] ?? null) : '-')), String(e.requests)])
  return table(header, body, 2)
}

export function failuresTable(result: LoadResult): string {
  if (result.errors.length === 0) return ''
  const header = ['# occurrences', 'Error']
  const body = result.errors.map((e) => [String(e.occurrences), `${e.method} ${e.name}: ${e.error}`])
  body.push([String(result.errors.reduce((a, e) => a + e.occurrences, 0)), 'Total'])
  return table(header, body, 0)
}

export function exceptionsTable(result: LoadResult): string {
  if (result.exceptions.length === 0) return ''
  return result.exceptions.map((e) => `${e.count} x ${e.message}\n${e.traceback.split('\n').map((l) => `    ${l}`).join('\n')}`).join('\n')
}

export function thresholdLines(outcomes: ThresholdOutcome[]): string {
  return outcomes.map((o) => `  ${o.passed ? 'passed' : 'FAILED'}  ${o.threshold.text}  (actual ${
    o.actual === null ? 'no data' : Number(o.actual.toFixed(4))})`).join('\n')
}

/** Why requests failed, when a server refused them with 503: what that means and what to change. */
export function refusedLine(result: LoadResult): string {
  const refused = result.statusCounts['503'] ?? 0
  const total = result.aggregated.requests
  if (refused === 0 || total === 0) return ''
  return `${((refused / total) * 100).toFixed(1)}% refused with 503 (server at capacity): ${refused} of ${total} requests were answered ` +
    "at once because the server was already running all it admits. If it is floodgate serve, each worker runs --threads runs with " +
    'sync tools at once and admits --max-concurrency runs plus --queue waiting (async flows: 10,000 and 1,000): raise them if its ' +
    'CPU and memory allow, add --workers or replicas, or send less load (README, "floodgate serve": sizing).'
}

export function generatorLine(result: LoadResult): string {
  const g = result.generator
  const mib = (g.rssMaxBytes / 1048576).toFixed(0)
  return `Generator: ${g.processes} process(es), CPU avg ${g.cpuPercentAvg.toFixed(0)}% max ${g.cpuPercentMax.toFixed(0)}% ` +
    `of a core, RSS max ${mib} MiB${g.saturated ? ' - SATURATED: the generator, not the server, may be the limit' : ''}`
}

/** The whole end-of-run report, Locust's tables first. */
export function finalReport(result: LoadResult, outcomes: ThresholdOutcome[] = []): string {
  const parts = [
    result.interrupted ? 'Run INTERRUPTED: figures cover what ran before the stop.' : '',
    'Request statistics', statsTable(result), '',
    'Response time percentiles (ms, HdrHistogram, 3 significant digits)', percentilesTable(result), ''
  ]
  const streams = llmReport(result)
  if (streams) parts.push(streams, '')
  const failures = failuresTable(result)
  if (failures) parts.push('Error report', failures, '')
  const refused = refusedLine(result)
  if (refused) parts.push(refused, '')
  const exceptions = exceptionsTable(result)
  if (exceptions) parts.push('Exceptions', exceptions, '')
  if (result.config.mode === 'open') parts.push(`Dropped (max in flight ${result.config.maxInFlight} reached): ${result.dropped}`)
  if (result.abandoned) parts.push(`Abandoned (still in flight 2 s after the stop, not recorded): ${result.abandoned}`)
  parts.push(generatorLine(result))
  if (outcomes.length) parts.push('', 'Thresholds', thresholdLines(outcomes))
  return parts.filter((p, i) => p !== '' || i > 0).join('\n') + '\n'
}
