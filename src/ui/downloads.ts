// The page's Download Data: the same files the flags write (Locust's CSVs, the streams' CSVs, the JSON
// result, the HTML report), made from the current run so far or the last one, named after its start.
import { HttpRequestError, UsageError } from '../errors.js'
import type { LoadResult, ThresholdOutcome } from '../load/index.js'
import { exceptionsCsv, failuresCsv, historyCsv, llmHistoryCsv, llmStatsCsv, loadHtml, statsCsv } from '../report/index.js'
import type { Download } from './messages.js'
import type { DownloadFile } from './server.js'

type Maker = (r: LoadResult, outcomes: ThresholdOutcome[]) => string | null

const CSV = 'text/csv; charset=utf-8'
const FILES: [suffix: string, label: string, type: string, make: Maker][] = [
  ['_stats.csv', 'Requests statistics CSV', CSV, (r) => statsCsv(r)],
  ['_stats_history.csv', 'Full history CSV (one row a second)', CSV, (r) => historyCsv(r)],
  ['_failures.csv', 'Failures CSV', CSV, (r) => failuresCsv(r)],
  ['_exceptions.csv', 'Exceptions CSV', CSV, (r) => exceptionsCsv(r)],
  ['_llm_stats.csv', 'Streams statistics CSV', CSV, (r) => llmStatsCsv(r)],
  ['_llm_stats_history.csv', 'Streams history CSV', CSV, (r) => (llmStatsCsv(r) === null ? null : llmHistoryCsv(r))],
  ['.json', 'JSON result (floodgate report / merge read it)', 'application/json', (r, o) => JSON.stringify({ ...r, thresholds: o }, null, 2) + '\n'],
  ['.html', 'HTML report', 'text/html; charset=utf-8', (r, o) => loadHtml(r, o)]
]

function stamp(result: LoadResult): string {
  return `floodgate_${new Date(result.startedAt).toISOString().replace(/\.\d+Z$/, '').replace(/[-:]/g, '').replace('T', '-')}`
}

/** The links the page lists for `result` (the streams' files only when some response was a stream). */
export function downloadLinks(result: LoadResult | null): Download[] {
  if (!result) return []
  const streams = llmStatsCsv(result) !== null
  return FILES.filter(([suffix]) => streams || !suffix.startsWith('_llm'))
    .map(([suffix, label]) => ({ label, href: `/api/download/${stamp(result)}${suffix}` }))
}

export function downloadFile(name: string, result: LoadResult | null, outcomes: ThresholdOutcome[]): DownloadFile {
  if (!result) throw new UsageError('no test has run yet: nothing to download')
  const entry = FILES.find(([suffix]) => name === `${stamp(result)}${suffix}`)
  const body = entry?.[3](result, outcomes)
  if (!entry || body === null || body === undefined) {
    throw new HttpRequestError(404, `no such download: ${name}`)
  }
  return { filename: name, contentType: entry[2], body }
}
