// The --html page of one load run: Locust's tables (statistics, percentiles, failures, exceptions),
// the run's configuration and generator figures, and the standard charts. Works offline.
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { LOCUST_PERCENTILES, type EndpointStats, type LoadResult } from '../../load/result.js'
import type { ThresholdOutcome } from '../../load/index.js'
import { loadCharts } from './charts.js'
import { llmCharts } from './llm-charts.js'
import { llmSection } from './llm-html.js'
import { escapeHtml, htmlTable, renderPage, type PageSection } from '../page.js'

const r3 = (n: number) => String(Math.round(n * 1000) / 1000)
const r2 = (n: number) => n.toFixed(2)

function statsRows(result: LoadResult): EndpointStats[] {
  return [...result.endpoints, result.aggregated]
}

export function loadSections(result: LoadResult, outcomes: ThresholdOutcome[] = []): { lead: PageSection[]; sections: PageSection[] } {
  const c = result.config
  const lead: PageSection[] = [{
    heading: 'Request statistics',
    html: htmlTable(
      ['Type', 'Name', '# Requests', '# Fails', 'Median (ms)', 'Average (ms)', 'Min (ms)', 'Max (ms)', 'Average size (bytes)', 'RPS', 'Failures/s'],
      statsRows(result).map((e) => [e.method, e.name, e.requests, e.failures, r3(e.medianMs), r3(e.meanMs), r3(e.minMs), r3(e.maxMs),
        r2(e.avgContentBytes), r2(e.rps), r2(e.failuresPerSec)]))
  }, {
    heading: 'Response time percentiles (ms)',
    html: htmlTable(['Type', 'Name', ...LOCUST_PERCENTILES.map((p) => `${p}%`)],
      statsRows(result).map((e) => [e.method, e.name, ...LOCUST_PERCENTILES.map((p) => (e.requests ? r3(e.percentiles[String(p)] ?? 0) : '-'))]))
  }]
  const streams = llmSection(result)
  if (streams) lead.push(streams)
  if (outcomes.length) {
    lead.unshift({
      heading: 'Thresholds',
      html: htmlTable(['Threshold', 'Actual', 'Result'], outcomes.map((o) => [o.threshold.text,
        o.actual === null ? 'no data' : r3(o.actual), o.passed ? 'passed' : 'FAILED']))
    })
  }
  const sections: PageSection[] = [{
    heading: 'Failures',
    html: result.errors.length
      ? htmlTable(['Method', 'Name', 'Error', 'Occurrences'], result.errors.map((e) => [e.method, e.name, e.error, e.occurrences]))
      : '<p>No failures.</p>'
  }, {
    heading: 'Exceptions',
    html: result.exceptions.length
      ? result.exceptions.map((e) => `<p><b>${e.count} x</b> ${escapeHtml(e.message)}</p><pre>${escapeHtml(e.traceback)}</pre>`).join('')
      : '<p>No exceptions.</p>'
  }, {
    heading: 'Run',
    html: htmlTable(['Setting', 'Value'], [
      ['URL', `${c.method} ${c.url}`],
      ['Mode', c.mode === 'open' ? `open loop, ${c.rate}${c.rampTo !== undefined ? ` -> ${c.rampTo}` : ''} req/s, max in flight ${c.maxInFlight}` : `closed loop, ${c.users} users, spawn rate ${c.spawnRate}/s, wait ${c.wait}`],
      ['Run time', `${c.runTimeSec} s (ran ${r2(result.durationSec)} s)${result.interrupted ? ', INTERRUPTED' : ''}`],
      ['Started', new Date(result.startedAt).toISOString()],
      ['Status codes', Object.entries(result.statusCounts).map(([k, v]) => `${k === '0' ? 'no response' : k}: ${v}`).join(', ') || '-'],
      ...(c.mode === 'open' ? [['Dropped', String(result.dropped)]] : []),
      ['Abandoned at stop', String(result.abandoned ?? 0)],
      ['Generator', `${result.generator.processes} process(es), CPU avg ${r2(result.generator.cpuPercentAvg)}% max ${r2(result.generator.cpuPercentMax)}%, RSS max ${(result.generator.rssMaxBytes / 1048576).toFixed(0)} MiB${result.generator.saturated ? ', SATURATED' : ''}`]
    ])
  }]
  return { lead, sections }
}

export function loadHtml(result: LoadResult, outcomes: ThresholdOutcome[] = []): string {
  const { lead, sections } = loadSections(result, outcomes)
  return renderPage({
    title: `Floodgate load report: ${result.config.method} ${result.config.url}`,
    subtitle: `${new Date(result.startedAt).toISOString()} - ${result.aggregated.requests} requests, ${result.aggregated.failures} failures${result.interrupted ? ' - interrupted' : ''}`,
    lead,
    charts: [...loadCharts(result), ...llmCharts(result)],
    sections
  })
}

export async function writeLoadHtml(file: string, result: LoadResult, outcomes: ThresholdOutcome[] = []): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, loadHtml(result, outcomes))
}
