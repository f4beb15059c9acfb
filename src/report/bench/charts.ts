// echarts options for what the bench adds to a load run: CPU and memory per process, the server's queue
// and pool over time, and every variant's throughput side by side. Pure: data in, option objects out;
// report.html renders them in the browser (page.ts), svg.ts renders them to files for report.md.
import type { LoadResult } from '../../load/result.js'
import type { ProcessSeries, VariantRecord } from './data.js'
import { lineChart, loadCharts, type Chart } from '../load/charts.js'
import { llmBenchCharts } from './llm-charts.js'

export interface NamedChart extends Chart {
  /** File-name-safe id, unique within a report (the SVG's file name). */
  id: string
}

/** Seconds since the load started (or since the first sample), so every chart of a variant shares its x axis. */
function clock(record: VariantRecord): (t: number) => number {
  const start = record.result ? record.result.startedAt / 1000 : (record.samples?.processes[0]?.samples[0]?.t ?? 0)
  return (t) => Math.round((t - start) * 10) / 10
}

/** A server's workers are summed into one line so the chart stays readable with 8 of them. */
function groupName(p: ProcessSeries, withWorkers: Set<string>): string {
  if (p.role === 'generator') return 'generator'
  if (!withWorkers.has(p.service)) return p.service
  return p.label === p.service ? `${p.service} (primary)` : `${p.service} (workers)`
}

/** One line per process group, values summed per sample time and aligned on a shared x axis. */
function processLines(record: VariantRecord, value: (s: ProcessSeries['samples'][number]) => number) {
  const x = clock(record)
  const groups = new Map<string, Map<number, number>>()
  const times = new Set<number>()
  const processes = record.samples!.processes
  const withWorkers = new Set(processes.filter((p) => p.role !== 'generator' && p.label !== p.service).map((p) => p.service))
  for (const p of processes) {
    const name = groupName(p, withWorkers)
    if (!groups.has(name)) groups.set(name, new Map())
    const byT = groups.get(name)!
    for (const s of p.samples) {
      const t = x(s.t)
      times.add(t)
      byT.set(t, (byT.get(t) ?? 0) + value(s))
    }
  }
  const xs = [...times].sort((a, b) => a - b)
  const series = [...groups].map(([name, byT]) => ({ name, values: xs.map((t) => byT.get(t) ?? null) }))
  return { xs, series }
}

export function cpuChart(record: VariantRecord): NamedChart | null {
  const samples = record.samples
  if (!samples?.processes.length) return null
  const { xs, series } = processLines(record, (s) => Math.round(s.cpuPercent))
  const x = clock(record)
  const machine = new Map(samples.machine.map((m) => [x(m.t), Math.round(m.busyPercent * samples.cores)]))
  if (machine.size) series.push({ name: 'whole machine', values: xs.map((t) => machine.get(t) ?? null) })
  return {
    id: `${record.meta.name}-cpu`,
    title: `${record.meta.name}: CPU per process (% of one core; the machine has ${samples.cores * 100}%)`,
    option: lineChart(xs, series, '% of a core')
  }
}

export function memoryChart(record: VariantRecord): NamedChart | null {
  if (!record.samples?.processes.length) return null
  const { xs, series } = processLines(record, (s) => Math.round(s.rssBytes / 1048576))
  return { id: `${record.meta.name}-memory`, title: `${record.meta.name}: memory per process (RSS, MiB)`, option: lineChart(xs, series, 'MiB') }
}

export function serverStateChart(record: VariantRecord): NamedChart | null {
  const metrics = record.samples?.metrics ?? []
  if (metrics.length === 0) return null
  const x = clock(record)
  const xs = metrics.map((m) => x(m.t))
  const option = lineChart(xs, [
    { name: 'runs in progress', values: metrics.map((m) => m.runsInProgress) },
    { name: 'admission queue', values: metrics.map((m) => m.queueDepth) },
    { name: 'runs waiting for a slot', values: metrics.map((m) => m.poolRunsWaiting ?? null) },
    { name: 'pool threads', values: metrics.map((m) => m.poolThreads) },
    { name: 'run slots taken %', values: metrics.map((m) => (m.poolRunSlots ? Math.round((100 * (m.poolRuns ?? 0)) / m.poolRunSlots) : null)) }
  ], 'requests')
  // Slots taken is a percentage: its own axis on the right.
  option.yAxis = [{ type: 'value', name: 'requests' }, { type: 'value', name: 'slots taken %', min: 0, max: 100 }]
  ;(option.series as Record<string, unknown>[])[4]!.yAxisIndex = 1
  option.grid = { left: 60, right: 60, top: 36, bottom: 40 }
  return { id: `${record.meta.name}-server`, title: `${record.meta.name}: queues, pool threads and run slots (server /metrics)`, option }
}

/** The load generator's standard charts (requests/s, percentiles, users), titled with the variant. */
export function loadChartsOf(name: string, result: LoadResult): NamedChart[] {
  const ids = ['rps', 'latency', 'users']
  // The generator's own CPU chart is left out: cpuChart shows the generator beside the server.
  return loadCharts(result).slice(0, ids.length).map((c, i) => ({ ...c, id: `${name}-${ids[i] ?? i}`, title: `${name}: ${c.title}` }))
}

/** Every variant's successful requests/s on one chart: the study's comparison at a glance. */
export function comparisonChart(records: VariantRecord[]): NamedChart | null {
  const runs = records.filter((r) => r.result?.history.length)
  if (runs.length === 0) return null
  const xs = [...new Set(runs.flatMap((r) => r.result!.history.map((h) => Math.round(h.t - r.result!.startedAt / 1000))))].sort((a, b) => a - b)
  const series = runs.map((r) => {
    const byT = new Map(r.result!.history.map((h) => [Math.round(h.t - r.result!.startedAt / 1000), h.rps - h.failuresPerSec]))
    return { name: r.meta.name, values: xs.map((t) => byT.get(t) ?? null) }
  })
  return { id: 'comparison-rps', title: 'Successful requests/s, every variant', option: lineChart(xs, series, 'req/s') }
}

/** All charts of a report, in reading order: the comparison, then per variant, then the streams' (if any). */
export function benchCharts(records: VariantRecord[]): NamedChart[] {
  const charts: NamedChart[] = []
  const comparison = comparisonChart(records)
  if (comparison) charts.push(comparison)
  for (const r of records) {
    if (r.result) charts.push(...loadChartsOf(r.meta.name, r.result))
    for (const c of [cpuChart(r), memoryChart(r), serverStateChart(r)]) if (c) charts.push(c)
  }
  charts.push(...llmBenchCharts(records))
  return charts
}
