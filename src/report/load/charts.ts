// ECharts option objects built from a LoadResult's per-second history: plain data, no rendering, so the
// load page and the bench report share them (page.ts renders any list of {title, option}).
import type { HistoryPoint, LoadResult } from '../../load/result.js'

/** An ECharts option object (kept as plain data: echarts is needed only in the browser). */
export type ChartOption = Record<string, unknown>

export interface Chart {
  title: string
  option: ChartOption
}

type Series = { name: string; values: (number | null)[]; color?: string; area?: boolean }

function elapsed(result: LoadResult): number[] {
  const start = result.startedAt / 1000
  return result.history.map((p) => Math.max(0, Math.round((p.t - start) * 10) / 10))
}

/** A time-series line chart: x = seconds since start, one line per series. */
export function lineChart(x: number[], series: Series[], yName: string): ChartOption {
  return {
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 60, right: 24, top: 36, bottom: 40 },
    xAxis: { type: 'value', name: 'seconds', nameLocation: 'middle', nameGap: 26, min: 0 },
    yAxis: { type: 'value', name: yName },
    series: series.map((s) => ({
      name: s.name,
      type: 'line',
      showSymbol: false,
      connectNulls: false,
      ...(s.color ? { color: s.color } : {}),
      ...(s.area ? { areaStyle: { opacity: 0.15 } } : {}),
      data: x.map((v, i) => [v, s.values[i]])
    }))
  }
}

const pick = (h: HistoryPoint[], f: (p: HistoryPoint) => number | null) => h.map(f)

export function throughputChart(result: LoadResult): Chart {
  const h = result.history
  return {
    title: 'Requests/s and failures/s',
    option: lineChart(elapsed(result), [
      { name: 'requests/s', values: pick(h, (p) => p.rps), color: '#2f7ed8', area: true },
      { name: 'failures/s', values: pick(h, (p) => p.failuresPerSec), color: '#d9534f' }
    ], 'per second')
  }
}

export function latencyChart(result: LoadResult): Chart {
  const h = result.history
  return {
    title: 'Response time percentiles per second (ms)',
    option: lineChart(elapsed(result), [
      { name: 'p50', values: pick(h, (p) => p.p50), color: '#5cb85c' },
      { name: 'p95', values: pick(h, (p) => p.p95), color: '#f0ad4e' },
      { name: 'p99', values: pick(h, (p) => p.p99), color: '#d9534f' }
    ], 'ms')
  }
}

export function usersChart(result: LoadResult): Chart {
  const h = result.history
  const open = result.config.mode === 'open'
  return {
    title: open ? 'Requests in flight' : 'Users and requests in flight',
    option: lineChart(elapsed(result), [
      ...(open ? [] : [{ name: 'users', values: pick(h, (p) => p.users), color: '#6f42c1', area: true }]),
      { name: 'in flight', values: pick(h, (p) => p.inFlight), color: '#999999' }
    ], open ? 'requests' : 'users')
  }
}

export function generatorChart(result: LoadResult): Chart | undefined {
  const h = result.history
  if (!h.some((p) => p.cpuPercent !== undefined)) return undefined
  return {
    title: 'Generator CPU (% of one core)',
    option: lineChart(elapsed(result), [{ name: 'cpu %', values: pick(h, (p) => p.cpuPercent ?? null), color: '#777777' }], '%')
  }
}

/** The standard charts of one load run, in the page's order. */
export function loadCharts(result: LoadResult): Chart[] {
  const charts = [throughputChart(result), latencyChart(result), usersChart(result)]
  const cpu = generatorChart(result)
  if (cpu) charts.push(cpu)
  return charts
}
