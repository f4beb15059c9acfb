// One finished step, judged: its steady part's figures and SLOs (steady.ts), the bench analysis of that
// part, and what saturated (saturation.ts). Pure: the live search and `floodgate report` both call it
// on the step's saved files, so the two always agree.
import type { LoadResult, Threshold } from '../load/index.js'
import { analyzeVariant } from '../report/index.js'
import type { VariantMeta, VariantSamples } from '../report/bench/data.js'
import type { CapacityStep, CapacityUnit } from './data.js'
import { nodeGrowthOf, type NodeTimes } from './node-times.js'
import { saturation } from './saturation.js'
import type { StepPurpose } from './search.js'
import { stepFigures } from './steady.js'

export interface StepFiles {
  result: LoadResult
  meta: VariantMeta
  samples?: VariantSamples
  /** The flow's node times at low load and over the step (serve targets only). */
  nodes?: NodeTimes
}

export interface StepPlace {
  index: number
  load: number
  unit: CapacityUnit
  purpose: StepPurpose
  /** Folder of the step's files, relative to capacity.json. */
  dir: string
  rampSec: number
  /** What the load asks for, req/s (users / cycle at the service time, or the rate). */
  offeredRps: number | null
}

/** A JSON-safe number: Infinity (nothing measured) is written as null. */
const finite = (n: number): number | null => (Number.isFinite(n) ? n : null)

export function judgeStep(place: StepPlace, files: StepFiles, slos: Threshold[], serviceMs: number | null): CapacityStep {
  const f = stepFigures(files.result, place.rampSec, slos, serviceMs)
  const analysis = analyzeVariant(files.meta, f.steady, files.samples)
  const found = saturation({ analysis, samples: files.samples, window: { start: f.from, end: f.steady.endedAt / 1000 }, nodes: nodeGrowthOf(files.nodes) })
  const status = files.result.interrupted ? 'interrupted' : 'ok'
  return {
    index: place.index,
    load: place.load,
    unit: place.unit,
    purpose: place.purpose,
    status,
    passed: status === 'ok' && f.passed,
    margin: finite(f.margin),
    broke: f.passed ? null : f.worst?.threshold.text ?? null,
    slo: f.outcomes.map((o) => ({ slo: o.threshold.text, actual: o.actual, passed: o.passed })),
    achieved_rps: f.achievedRps,
    offered_rps: place.offeredRps,
    p50_ms: f.p50Ms,
    p99_ms: f.p99Ms,
    requests: f.steady.aggregated.requests,
    failures: f.steady.aggregated.failures,
    steady: { from: f.from, to: f.to, windows: f.windows, ramp_sec: place.rampSec },
    verdict: analysis.verdict.text,
    saturated: found.resource,
    evidence: found.evidence,
    dir: place.dir,
    result: files.result
  }
}
