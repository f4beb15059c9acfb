// The flow's node times (floodgate serve's floodgate_node_duration_seconds): scraped after the
// calibration (low load) and before and after each step, so a node that got slower under load, waiting
// on what it calls, shows up. Pure; the scrapes are the step runner's.
import type { NodeTiming } from '../report/bench/data.js'

/** Cumulative node timings at low load, and at a step's start and end. */
export interface NodeTimes {
  low: NodeTiming[]
  before: NodeTiming[]
  after: NodeTiming[]
}

/** A node's mean time at low load and over a step. */
export interface NodeGrowth { node: string; lowSec: number; stepSec: number }

/** Each node's mean over the step (the difference of two cumulative scrapes), beside its low-load mean. */
export function nodeGrowthOf(times: NodeTimes | undefined): NodeGrowth[] {
  if (!times) return []
  const out: NodeGrowth[] = []
  for (const a of times.after) {
    const b = times.before.find((x) => x.node === a.node)
    const low = times.low.find((x) => x.node === a.node)
    const count = a.count - (b?.count ?? 0)
    if (!low || count <= 0) continue
    const sum = a.meanSec * a.count - (b ? b.meanSec * b.count : 0)
    out.push({ node: a.node, lowSec: low.meanSec, stepSec: sum / count })
  }
  return out
}
