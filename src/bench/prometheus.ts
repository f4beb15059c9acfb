// Reads the few series the bench needs from a Prometheus text exposition (floodgate serve's /metrics).
import type { MetricsSample, NodeTiming } from '../report/bench/data.js'

export interface Series { labels: Record<string, string>; value: number }

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

export function parsePrometheus(text: string): Map<string, Series[]> {
  const out = new Map<string, Series[]>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const m = LINE.exec(line)
    if (!m) continue
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c))
    const value = Number(m[3])
    if (!out.has(m[1]!)) out.set(m[1]!, [])
    out.get(m[1]!)!.push({ labels, value })
  }
  return out
}

/** Sum over every series of a metric (aggregated registries may still emit one per worker). */
function sum(metrics: Map<string, Series[]>, name: string): number | null {
  const series = metrics.get(name)
  return series?.length ? series.reduce((s, x) => s + x.value, 0) : null
}

function max(metrics: Map<string, Series[]>, name: string): number | null {
  const series = metrics.get(name)
  return series?.length ? Math.max(...series.map((x) => x.value)) : null
}

export function metricsSample(metrics: Map<string, Series[]>, t: number): MetricsSample {
  return {
    t,
    runsInProgress: sum(metrics, 'floodgate_runs_in_progress'),
    queueDepth: sum(metrics, 'floodgate_queue_depth'),
    rejectedTotal: sum(metrics, 'floodgate_rejected_total'),
    poolThreads: sum(metrics, 'floodgate_pool_threads'),
    poolRunning: sum(metrics, 'floodgate_pool_running'),
    poolQueue: sum(metrics, 'floodgate_pool_queue'),
    poolUtilization: max(metrics, 'floodgate_pool_utilization'),
    eventLoopDelaySec: max(metrics, 'floodgate_event_loop_delay_seconds'),
    poolRunSlots: sum(metrics, 'floodgate_pool_run_slots'),
    poolRuns: sum(metrics, 'floodgate_pool_runs'),
    poolRunsWaiting: sum(metrics, 'floodgate_pool_runs_waiting'),
    poolThreadsMax: sum(metrics, 'floodgate_pool_threads_max')
  }
}

/** Mean duration per node from floodgate_node_duration_seconds' _sum and _count. */
export function nodeTimings(metrics: Map<string, Series[]>): NodeTiming[] {
  const sums = metrics.get('floodgate_node_duration_seconds_sum') ?? []
  const counts = metrics.get('floodgate_node_duration_seconds_count') ?? []
  const byNode = new Map<string, { sum: number; count: number }>()
  for (const s of sums) {
    const node = s.labels.node ?? '?'
    byNode.set(node, { sum: (byNode.get(node)?.sum ?? 0) + s.value, count: byNode.get(node)?.count ?? 0 })
  }
  for (const c of counts) {
    const node = c.labels.node ?? '?'
    const entry = byNode.get(node) ?? { sum: 0, count: 0 }
    entry.count += c.value
    byNode.set(node, entry)
  }
  return [...byNode.entries()]
    .filter(([, v]) => v.count > 0)
    .map(([node, v]) => ({ node, count: v.count, meanSec: v.sum / v.count }))
    .sort((a, b) => a.node.localeCompare(b.node))
}
