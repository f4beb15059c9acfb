// A step's statistics: its steady part only. The generator's per-second history windows after the ramp
// (whole seconds, ending by the run time, so neither the spawn nor the drain counts) are cut out as a
// LoadResult of their own, and the SLOs are checked on it with `floodgate load`'s own evaluation.
import { evaluateThresholds, resultOfWindows, type LoadResult, type Threshold, type ThresholdOutcome } from '../load/index.js'
import { achievedThroughput, activeWindow } from '../report/index.js'
import { worstSlo } from './slo.js'
import { MIN_MEASURE_SEC } from './step-shape.js'

export interface StepFigures {
  /** The steady part as a LoadResult. */
  steady: LoadResult
  /** Whole windows ending after `from` and by `to`, epoch seconds. */
  from: number
  to: number
  windows: number
  outcomes: ThresholdOutcome[]
  /** Every SLO held, over at least MIN_MEASURE_SEC steady windows. */
  passed: boolean
  margin: number
  /** The SLO furthest past its bound (or closest to it when all held). */
  worst: ThresholdOutcome | null
  achievedRps: number
  p50Ms: number | null
  p99Ms: number | null
}

/** The steady part's bounds: from the first whole second after the ramp to the end of the run time. */
export function steadyBounds(result: LoadResult, rampSec: number): { from: number; to: number } {
  return { from: Math.ceil(result.startedAt / 1000 + rampSec), to: activeWindow(result).end }
}

export function stepFigures(result: LoadResult, rampSec: number, slos: Threshold[], serviceMs: number | null): StepFigures {
  const { from, to } = steadyBounds(result, rampSec)
  const steady = resultOfWindows(result, from, to)
  const windows = steady.history.length
  const outcomes = evaluateThresholds(steady, slos)
  const { margin, worst } = worstSlo(outcomes, serviceMs)
  const requests = steady.aggregated.requests
  const enough = windows >= MIN_MEASURE_SEC && requests > 0
  return {
    steady, from, to, windows, outcomes,
    passed: enough && outcomes.every((o) => o.passed),
    margin: enough ? margin : Infinity,
    worst,
    achievedRps: achievedThroughput(steady),
    p50Ms: requests ? steady.aggregated.medianMs : null,
    p99Ms: requests ? steady.aggregated.percentiles['99'] ?? null : null
  }
}
