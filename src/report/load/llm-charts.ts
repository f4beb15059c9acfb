// Charts of streamed responses, from a LoadResult: TTFT and ITL percentiles per second, output tokens
// per second, and the whole run's TTFT and ITL distributions (cumulative, from the HDR histograms).
// Plain ECharts options, like charts.ts; empty when no response was read as a stream.
import { decodeHistogram } from '../../load/index.js'
import type { DistributionResult, HistoryLlm, LoadResult } from '../../load/result.js'
import { lineChart, type Chart, type ChartOption } from './charts.js'

function elapsed(result: LoadResult): number[] {
  const start = result.startedAt / 1000
  return result.history.map((p) => Math.max(0, Math.round((p.t - start) * 10) / 10))
}

const pick = (result: LoadResult, f: (l: HistoryLlm) => number | null) => result.history.map((p) => (p.llm ? f(p.llm) : null))

export function ttftChart(result: LoadResult): Chart {
  return {
    title: 'Time to first token per second (ms)',
    option: lineChart(elapsed(result), [
      { name: 'TTFT p50', values: pick(result, (l) => l.ttftP50), color: '#5cb85c' },
      { name: 'TTFT p95', values: pick(result, (l) => l.ttftP95), color: '#f0ad4e' },
      { name: 'TTFT p99', values: pick(result, (l) => l.ttftP99), color: '#d9534f' }
    ], 'ms')
  }
}

export function itlChart(result: LoadResult): Chart {
  return {
    title: 'Inter-token latency per second (ms)',
    option: lineChart(elapsed(result), [
      { name: 'ITL p50', values: pick(result, (l) => l.itlP50), color: '#5cb85c' },
      { name: 'ITL p99', values: pick(result, (l) => l.itlP99), color: '#d9534f' }
    ], 'ms')
  }
}

export function tokensChart(result: LoadResult): Chart {
  return {
    title: 'Output tokens per second',
    option: lineChart(elapsed(result), [{ name: 'tokens/s', values: pick(result, (l) => l.tokensPerSec), color: '#2f7ed8', area: true }], 'tokens/s')
  }
}

/** Percentiles a cumulative distribution is drawn through: every whole one, then the tail. */
const CDF_PERCENTILES = [...Array.from({ length: 100 }, (_, i) => i), 99.5, 99.9, 99.99, 100]

/** [ms, percentile] points of a distribution of microseconds. */
export function cdfPoints(d: DistributionResult): [number, number][] {
  if (d.count === 0) return []
  const h = decodeHistogram(d.histogram)
  return CDF_PERCENTILES.map((p) => [Math.min(p >= 100 ? d.max : h.getValueAtPercentile(p), d.max) / 1000, p])
}

export function cdfOption(series: { name: string; points: [number, number][]; color?: string }[], xName: string): ChartOption {
  return {
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 60, right: 24, top: 36, bottom: 40 },
    xAxis: { type: 'value', name: xName, nameLocation: 'middle', nameGap: 26, scale: true },
    yAxis: { type: 'value', name: 'percentile', min: 0, max: 100 },
    series: series.map((s) => ({ name: s.name, type: 'line', showSymbol: false, step: 'end', ...(s.color ? { color: s.color } : {}), data: s.points }))
  }
}

export function distributionCharts(result: LoadResult): Chart[] {
  const llm = result.llm!
  return [
    { title: 'TTFT distribution (ms, whole run)', option: cdfOption([{ name: 'TTFT', points: cdfPoints(llm.ttft), color: '#6f42c1' }], 'ms') },
    { title: 'ITL distribution (ms, every gap between content events)', option: cdfOption([{ name: 'ITL', points: cdfPoints(llm.itl), color: '#2f7ed8' }], 'ms') }
  ]
}

/** The streaming charts of one run, or none when nothing was streamed. */
export function llmCharts(result: LoadResult): Chart[] {
  if (!result.llm || result.llm.streamed === 0) return []
  return [ttftChart(result), itlChart(result), tokensChart(result), ...distributionCharts(result)]
}
