// What gave out at the knee, from the bench analysis of a step's steady part (the same evidence
// `floodgate bench` judges by: run slots, CPU per process and of the machine, event-loop delay, the
// generator's own CPU) and the flow's node times against low load. Pure and table-driven: the first rule
// that applies names the resource, with its figures.
import type { VariantSamples } from '../report/bench/data.js'
import { cpuMsInWindow, fmtCount, fmtPct, fmtSec, type VariantAnalysis } from '../report/index.js'
import type { Saturated } from './data.js'
import type { NodeGrowth } from './node-times.js'

export interface SaturationInput {
  analysis: VariantAnalysis
  samples?: VariantSamples
  /** The steady part, epoch seconds. */
  window: { start: number; end: number }
  nodes: NodeGrowth[]
}

export interface SaturationFinding { resource: Saturated; evidence: string }

const BUSY = 0.9
/** Event-loop delay (p99 of a scrape) that means the loop could not keep up. */
const LOOP_DELAY_SEC = 0.1
/** A node this much slower than at low load (and by this many seconds) waits on its downstream. */
const NODE_GROWTH = 1.5
const NODE_GROWTH_MIN_SEC = 0.05

/** Each process of a role: its label and its CPU over the window, % of one core. */
function processCpu(input: SaturationInput, role: string): { label: string; percent: number }[] {
  const span = input.window.end - input.window.start
  if (!input.samples || span <= 0) return []
  return input.samples.processes
    .filter((p) => p.role === role)
    .map((p) => ({ label: p.label, percent: (cpuMsInWindow(p, input.window) / 1000 / span) * 100 }))
}

function finding(a: VariantAnalysis, kind: string): string | null {
  return a.findings.find((f) => f.kind === kind)?.text ?? null
}

type Rule = (input: SaturationInput) => SaturationFinding | null

const generator: Rule = ({ analysis: a }) => {
  const text = finding(a, 'generator-bound')
  return text ? { resource: 'generator', evidence: text } : null
}

const pool: Rule = ({ analysis: a }) => {
  const p = a.pool
  if (!p || p.busyAvg < BUSY) return null
  const text = finding(a, 'backpressure') ?? finding(a, 'admission')
  return {
    resource: 'pool',
    evidence: text ?? `all ${fmtCount(p.runSlots)} run slots taken ${fmtPct(p.fullShare * 100, 0)} of the time (${fmtPct(p.busyAvg * 100, 0)} on average)` +
      `${p.capacityRps !== null ? `; pool capacity ${p.capacityRps.toFixed(1)} req/s` : ''}`
  }
}

const cpu: Rule = ({ analysis: a, samples }) => {
  const text = finding(a, 'machine-bound')
  if (text) return { resource: 'cpu', evidence: text }
  const server = a.cpu.serverPercent
  if (server !== null && samples && server >= BUSY * 100 * samples.cores) {
    return { resource: 'cpu', evidence: `the server used ${fmtPct(server, 0)} of a core, ${fmtPct(server / samples.cores, 0)} of the ${samples.cores} cores` }
  }
  return null
}

const eventLoop: Rule = (input) => {
  const delay = input.analysis.eventLoopDelayMaxSec
  if (delay !== null && delay >= LOOP_DELAY_SEC) {
    return { resource: 'event_loop', evidence: `the server's event-loop delay reached ${fmtSec(delay)} (p99 of a scrape)` }
  }
  // A process runs its JavaScript on one thread: one at a full core is its event loop's limit.
  const busy = processCpu(input, 'server').filter((p) => p.percent >= BUSY * 100).sort((x, y) => y.percent - x.percent)[0]
  if (!busy) return null
  return { resource: 'event_loop', evidence: `${busy.label} used ${fmtPct(busy.percent, 0)} of a core: its event loop runs on one thread` }
}

const downstream: Rule = (input) => {
  const slow = input.nodes
    .filter((n) => n.stepSec >= NODE_GROWTH * n.lowSec && n.stepSec - n.lowSec >= NODE_GROWTH_MIN_SEC)
    .sort((x, y) => y.stepSec - y.lowSec - (x.stepSec - x.lowSec))[0]
  if (slow) {
    return { resource: 'downstream', evidence: `node ${slow.node} took ${fmtSec(slow.stepSec)} on average against ${fmtSec(slow.lowSec)} at low load: it waits on what it calls` }
  }
  const busy = processCpu(input, 'service').filter((p) => p.percent >= BUSY * 100).sort((x, y) => y.percent - x.percent)[0]
  return busy ? { resource: 'downstream', evidence: `${busy.label}, which the target calls, used ${fmtPct(busy.percent, 0)} of a core` } : null
}

/** In order of precedence: the first that applies is what saturated. */
const RULES: Rule[] = [generator, pool, cpu, eventLoop, downstream]

export function saturation(input: SaturationInput): SaturationFinding {
  for (const rule of RULES) {
    const found = rule(input)
    if (found) return found
  }
  const sampled = input.samples?.processes.length ? '' : ' (the target was not sampled: only the generator was watched)'
  return { resource: 'none', evidence: `no resource measured as saturated${sampled}; ${input.analysis.verdict.text}` }
}
