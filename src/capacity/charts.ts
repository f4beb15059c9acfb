// The capacity curves as echarts options (plain data, as the bench report's): throughput against load,
// response time against throughput with each response-time SLO as a line, and each other SLO's figure
// against load with its bound. Every step is a point, green when it passed, red when it failed.
import type { NamedChart } from '../report/index.js'
import { isLatencyBound, parseSlo } from './slo.js'
import type { CapacityFile, CapacityStep } from './data.js'
import { loadText } from './summary.js'

type Option = Record<string, unknown>

const PASS = '#2d7d2d'
const FAIL = '#c9302c'
const PASS_LIGHT = '#93c993'
const FAIL_LIGHT = '#eb9c9a'
const LINE = '#9a9a9a'
const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d

function axis(name: string, extra: Option = {}): Option {
  return { type: 'value', name, nameLocation: 'middle', nameGap: 28, ...extra }
}

function base(x: Option, y: Option): Option {
  return { animation: false, tooltip: { trigger: 'item' }, legend: { top: 0 }, grid: { left: 70, right: 30, top: 40, bottom: 48 }, xAxis: x, yAxis: y, series: [] }
}

const complete = (f: CapacityFile) => f.steps.filter((s) => s.status === 'ok')

/** Passing and failing steps as two scatter series; `xy` gives a step's point (null: left out). */
function stepPoints(f: CapacityFile, xy: (s: CapacityStep) => [number, number] | null, label: string, colors = [PASS, FAIL]): Option[] {
  const points = (passed: boolean) => complete(f)
    .filter((s) => s.passed === passed)
    .map((s) => ({ s, p: xy(s) }))
    .filter((x): x is { s: CapacityStep; p: [number, number] } => x.p !== null)
    .map(({ s, p }) => ({ value: [round(p[0]), round(p[1])], name: `step ${s.index} (${s.purpose}): ${loadText(s.load, s.unit)}` }))
  return [
    { name: `${label}, passed`, type: 'scatter', symbolSize: 11, color: colors[0], data: points(true) },
    { name: `${label}, failed`, type: 'scatter', symbolSize: 11, color: colors[1], data: points(false) }
  ]
}

/** A line through the last run at each load, in order of load. */
function throughLoads(f: CapacityFile, y: (s: CapacityStep) => number | null, name: string): Option {
  const last = new Map<number, CapacityStep>()
  for (const s of complete(f)) last.set(s.load, s)
  const data = [...last.values()].sort((a, b) => a.load - b.load).map((s) => [s.load, y(s)]).filter((p) => p[1] !== null).map((p) => [p[0], round(p[1]!)])
  return { name, type: 'line', color: LINE, showSymbol: false, lineStyle: { width: 1 }, data }
}

/** A dashed horizontal line at each SLO's bound across the x range, named after the SLO. */
function sloLines(bounds: { value: number; text: string }[], maxX: number): Option[] {
  return bounds.map((t) => ({
    name: `SLO ${t.text}`, type: 'line', color: FAIL, showSymbol: false, silent: true,
    lineStyle: { type: 'dashed', width: 2 }, data: [[0, t.value], [round(maxX * 1.05 || 1), t.value]]
  }))
}

export function throughputChart(f: CapacityFile): NamedChart {
  const unitName = f.unit === 'users' ? 'users' : 'offered req/s'
  const option = base(axis(unitName, { min: 0 }), axis('achieved req/s', { min: 0 }))
  const series = stepPoints(f, (s) => [s.load, s.achieved_rps], 'steps')
  const line = throughLoads(f, (s) => s.achieved_rps, 'achieved')
  line.markLine = {
    symbol: 'none', silent: true, label: { position: 'insideEndTop' },
    data: [
      ...(f.capacity ? [{ xAxis: f.capacity.load, lineStyle: { color: PASS, type: 'dashed' }, label: { formatter: 'capacity' } }] : []),
      ...(f.first_failing ? [{ xAxis: f.first_failing.load, lineStyle: { color: FAIL, type: 'dashed' }, label: { formatter: 'first failing' } }] : [])
    ]
  }
  series.push(line)
  // What the load asks for: users at the service time's cycle, or the rate itself.
  const maxX = Math.max(0, ...complete(f).map((s) => s.load))
  const perUnit = complete(f).find((s) => s.offered_rps !== null)
  if (perUnit && maxX > 0) {
    const slope = perUnit.offered_rps! / perUnit.load
    series.push({ name: f.unit === 'users' ? 'asked (users / cycle at low load)' : 'offered', type: 'line', color: '#6f42c1', showSymbol: false,
      lineStyle: { type: 'dotted' }, data: [[0, 0], [maxX, round(maxX * slope)]] })
  }
  if (f.prediction?.max_rps) {
    series.push({ name: `predicted limit (${f.prediction.limited_by})`, type: 'line', color: '#f0ad4e', showSymbol: false,
      lineStyle: { type: 'dotted' }, data: [[0, round(f.prediction.max_rps)], [maxX, round(f.prediction.max_rps)]] })
  }
  option.series = series
  return { id: 'capacity-throughput', title: `Throughput against load (${unitName}); every step a point`, option }
}

export function latencyChart(f: CapacityFile): NamedChart {
  const option = base(axis('achieved req/s', { min: 0 }), axis('ms', { min: 0 }))
  const series: Option[] = [
    ...stepPoints(f, (s) => (s.p99_ms === null ? null : [s.achieved_rps, s.p99_ms]), 'p99'),
    ...stepPoints(f, (s) => (s.p50_ms === null ? null : [s.achieved_rps, s.p50_ms]), 'p50', [PASS_LIGHT, FAIL_LIGHT]).map((x) => ({ ...x, symbol: 'triangle' }))
  ]
  // Each response-time SLO of another percentile or statistic gets its own points, and every one its line.
  const bounds = f.slo.map(parseSlo).filter(isLatencyBound)
  for (const t of bounds) {
    if (t.metric !== 'percentile' || (t.percentile !== 99 && t.percentile !== 50)) {
      series.push(...stepPoints(f, (s) => {
        const a = s.slo.find((o) => o.slo === t.text)?.actual
        return a === null || a === undefined ? null : [s.achieved_rps, a]
      }, t.text.replace(/\s*(<=|<).*/, '')).map((x) => ({ ...x, symbol: 'diamond' })))
    }
  }
  series.push(...sloLines(bounds, Math.max(0, ...complete(f).map((s) => s.achieved_rps))))
  option.series = series
  return { id: 'capacity-latency', title: 'Response time against throughput (ms); the SLO as a dashed line', option }
}

/** An SLO that is not a response-time bound (fail_ratio<0.001, rps>=50, ...): its figure against load. */
export function sloChart(f: CapacityFile, slo: string, i: number): NamedChart {
  const t = parseSlo(slo)
  const unitName = f.unit === 'users' ? 'users' : 'offered req/s'
  const option = base(axis(unitName, { min: 0 }), axis(t.metric === 'percentile' ? `p${t.percentile}` : t.metric))
  const figure = (s: CapacityStep) => s.slo.find((o) => o.slo === slo)?.actual ?? null
  const series = stepPoints(f, (s) => (figure(s) === null ? null : [s.load, figure(s)!]), t.text.replace(/\s*(<=|>=|==|<|>).*/, ''))
  series.push(...sloLines([t], Math.max(0, ...complete(f).map((s) => s.load))))
  option.series = series
  return { id: `capacity-slo-${i + 1}`, title: `${t.text.replace(/\s*(<=|>=|==|<|>).*/, '')} against load; the SLO as a dashed line`, option }
}

export function capacityCharts(f: CapacityFile): NamedChart[] {
  if (complete(f).length === 0) return []
  const others = f.slo.filter((s) => !isLatencyBound(parseSlo(s)))
  return [throughputChart(f), latencyChart(f), ...others.map((s, i) => sloChart(f, s, i))]
}
