// The live charts: the HTML report's line charts (report/load/charts.ts builds the same ECharts options),
// fed one point a second; x is seconds since the test started. Changes made to the load are vertical
// marks at the moment they were made. Stream charts (TTFT, tokens/s) appear once a stream was measured.
import { eventMarkLine, lineChart, type ChartOption } from '../../report/load/charts.js'
import type { ChartPoint, LiveMessage } from '../messages.js'
import { $, escapeHtml } from './dom.js'

interface EChart {
  setOption(option: ChartOption): void
  resize(): void
  dispose(): void
}
declare const echarts: { init(el: HTMLElement, theme?: null, opts?: { renderer: string }): EChart }

interface SeriesDef { name: string; color: string; area?: boolean; value: (p: ChartPoint) => number | null | undefined }
interface ChartDef { id: string; title: string; unit: string; series: SeriesDef[]; streams?: boolean; open?: boolean; closed?: boolean }

const DEFS: ChartDef[] = [
  { id: 'rps', title: 'Requests/s and failures/s', unit: 'per second', series: [
    { name: 'requests/s', color: '#2f7ed8', area: true, value: (p) => p.rps },
    { name: 'failures/s', color: '#d9534f', value: (p) => p.failuresPerSec }] },
  { id: 'latency', title: 'Response time percentiles per second (ms)', unit: 'ms', series: [
    { name: 'p50', color: '#5cb85c', value: (p) => p.p50 },
    { name: 'p95', color: '#f0ad4e', value: (p) => p.p95 },
    { name: 'p99', color: '#d9534f', value: (p) => p.p99 }] },
  { id: 'users', title: 'Users and requests in flight', unit: 'users', closed: true, series: [
    { name: 'users', color: '#6f42c1', area: true, value: (p) => p.users },
    { name: 'in flight', color: '#999999', value: (p) => p.inFlight }] },
  { id: 'inflight', title: 'Requests in flight', unit: 'requests', open: true, series: [
    { name: 'in flight', color: '#999999', area: true, value: (p) => p.inFlight }] },
  { id: 'ttft', title: 'Time to first token per second (ms)', unit: 'ms', streams: true, series: [
    { name: 'TTFT p50', color: '#5cb85c', value: (p) => p.ttftP50 },
    { name: 'TTFT p95', color: '#f0ad4e', value: (p) => p.ttftP95 }] },
  { id: 'tokens', title: 'Output tokens/s', unit: 'tokens/s', streams: true, series: [
    { name: 'tokens/s', color: '#17a2b8', area: true, value: (p) => p.tokensPerSec }] },
  { id: 'cpu', title: 'Generator CPU (% of one core)', unit: '%', series: [
    { name: 'cpu %', color: '#777777', value: (p) => p.cpuPercent }] }
]

interface Live { def: ChartDef; chart: EChart; data: [number, number | null][][] }

const live = new Map<string, Live>()
let points: ChartPoint[] = []

function wanted(def: ChartDef, m: LiveMessage): boolean {
  if (def.open && m.mode !== 'open') return false
  if (def.closed && m.mode !== 'closed') return false
  return !def.streams || points.some((p) => p.ttftP50 !== undefined)
}

function create(def: ChartDef): Live {
  const box = document.createElement('div')
  box.innerHTML = `<h3>${escapeHtml(def.title)}</h3><div class="chart" id="chart-${def.id}"></div>`
  $('charts').appendChild(box)
  const chart = echarts.init(box.querySelector<HTMLElement>('.chart')!, null, { renderer: 'canvas' })
  chart.setOption(lineChart([], def.series.map((s) => ({ name: s.name, values: [], color: s.color, area: s.area })), def.unit))
  return { def, chart, data: def.series.map(() => []) }
}

export function renderCharts(m: LiveMessage): void {
  const start = (m.startedAt ?? 0) / 1000
  const x = (p: ChartPoint) => Math.max(0, Math.round((p.t - start) * 10) / 10)
  const known = points.at(-1)?.t ?? -Infinity
  const fresh = m.points.filter((p) => p.t > known)
  points.push(...fresh)
  // At the moment each change was made (the points only know the second it fell in).
  const marks = m.events.map((e) => ({ x: Math.round((e.at / 1000 - start) * 10) / 10, text: e.text }))
  for (const def of DEFS) {
    if (!wanted(def, m)) continue
    const existing = live.get(def.id)
    const c = existing ?? create(def)
    live.set(def.id, c)
    const add = existing ? fresh : points
    if (!add.length) continue
    for (const p of add) def.series.forEach((s, i) => c.data[i]!.push([x(p), s.value(p) ?? null]))
    c.chart.setOption({ series: c.data.map((data, i) => (i === 0 ? { data, markLine: eventMarkLine(marks) } : { data })) })
  }
}

/** A new test: charts start over. */
export function resetCharts(): void {
  for (const c of live.values()) c.chart.dispose()
  live.clear()
  $('charts').innerHTML = ''
  points = []
}

export function resizeCharts(): void {
  for (const c of live.values()) c.chart.resize()
}
