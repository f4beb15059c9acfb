// Locust's four CSV files (--csv PREFIX), with Locust's exact header rows and Python's csv dialect
// (\r\n line ends, quotes only where needed), so tooling written for Locust reads them unchanged.
// One deliberate difference: Locust rounds percentiles to two significant digits and writes them as
// integers; here they are milliseconds with microsecond decimals (pandas and csv readers parse both).
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { decodeHistogram, percentileMs } from '../../load/index.js'
import { LOCUST_PERCENTILES, type EndpointStats, type HistoryPoint, type LoadResult } from '../../load/result.js'

const PERCENTILE_HEADERS = LOCUST_PERCENTILES.map((p) => `${p}%`)

export const STATS_HEADER = ['Type', 'Name', 'Request Count', 'Failure Count', 'Median Response Time',
  'Average Response Time', 'Min Response Time', 'Max Response Time', 'Average Content Size', 'Requests/s',
  'Failures/s', ...PERCENTILE_HEADERS]
export const HISTORY_HEADER = ['Timestamp', 'User Count', 'Type', 'Name', 'Requests/s', 'Failures/s',
  ...PERCENTILE_HEADERS, 'Total Request Count', 'Total Failure Count', 'Total Median Response Time',
  'Total Average Response Time', 'Total Min Response Time', 'Total Max Response Time', 'Total Average Content Size']
export const FAILURES_HEADER = ['Method', 'Name', 'Error', 'Occurrences']
export const EXCEPTIONS_HEADER = ['Count', 'Message', 'Traceback', 'Nodes']

export type Cell = string | number

function cell(v: Cell): string {
  const s = typeof v === 'number' ? (Number.isInteger(v) ? String(v) : String(Math.round(v * 1e6) / 1e6)) : v
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** Python's csv dialect: \r\n line ends, quotes only where needed. */
export function csv(header: string[], rows: Cell[][]): string {
  return [header, ...rows].map((r) => r.map(cell).join(',') + '\r\n').join('')
}

function statsRow(e: EndpointStats): Cell[] {
  // Locust writes N/A percentiles for an endpoint with no requests.
  const pcts = LOCUST_PERCENTILES.map((p) => (e.requests ? e.percentiles[String(p)] ?? 'N/A' : 'N/A'))
  return [e.method, e.name, e.requests, e.failures, e.medianMs, e.meanMs, e.minMs, e.maxMs, e.avgContentBytes,
    e.rps, e.failuresPerSec, ...pcts]
}

export function statsCsv(result: LoadResult): string {
  return csv(STATS_HEADER, [...result.endpoints.map(statsRow), statsRow(result.aggregated)])
}

function historyPercentiles(p: HistoryPoint): Cell[] {
  if (p.requests === 0) return LOCUST_PERCENTILES.map(() => 'N/A')
  if (p.histogram) {
    const h = decodeHistogram(p.histogram)
    return LOCUST_PERCENTILES.map((q) => percentileMs(h, q) ?? 'N/A')
  }
  const known: Record<number, number | null> = { 50: p.p50, 95: p.p95, 99: p.p99 }
  return LOCUST_PERCENTILES.map((q) => known[q] ?? 'N/A')
}

export function historyCsv(result: LoadResult): string {
  const rows = result.history.map((p) => [p.t, p.users, '', 'Aggregated', p.rps, p.failuresPerSec,
    ...historyPercentiles(p), p.totalRequests, p.totalFailures, p.totalMedianMs ?? 'N/A', p.totalAvgMs ?? 'N/A',
    p.totalMinMs ?? 'N/A', p.totalMaxMs ?? 'N/A', p.totalAvgContentBytes ?? 'N/A'])
  return csv(HISTORY_HEADER, rows)
}

export function failuresCsv(result: LoadResult): string {
  return csv(FAILURES_HEADER, result.errors.map((e) => [e.method, e.name, e.error, e.occurrences]))
}

export function exceptionsCsv(result: LoadResult): string {
  return csv(EXCEPTIONS_HEADER, result.exceptions.map((e) => [e.count, e.message, e.traceback, 'local']))
}

/** Writes PREFIX_stats.csv, PREFIX_stats_history.csv, PREFIX_failures.csv, PREFIX_exceptions.csv; returns the paths. */
export async function writeLocustCsv(prefix: string, result: LoadResult): Promise<string[]> {
  await mkdir(dirname(prefix), { recursive: true })
  const files: [string, string][] = [
    [`${prefix}_stats.csv`, statsCsv(result)],
    [`${prefix}_stats_history.csv`, historyCsv(result)],
    [`${prefix}_failures.csv`, failuresCsv(result)],
    [`${prefix}_exceptions.csv`, exceptionsCsv(result)]
  ]
  await Promise.all(files.map(([path, text]) => writeFile(path, text)))
  return files.map(([path]) => path)
}
