// How long a step runs and which of its seconds are ramp: users spawn over one cycle (service time +
// wait), then each completes one more cycle as long as the SLO lets a response take; the windows after
// that are the step's steady part, whose statistics the search judges. Pure.
import { UsageError } from '../errors.js'
import { fmtSec, type WaitModel } from '../report/index.js'

export type CapacityMode = 'users' | 'rate'

export interface StepShapeInput {
  mode: CapacityMode
  /** Service time at low load, seconds (the calibration's). */
  serviceSec: number
  wait: WaitModel
  /** Tightest response-time SLO, seconds; null when no SLO bounds response time. */
  latencyBoundSec: number | null
  /** Predicted throughput at the limit, req/s; null when unknown. */
  predictedRps: number | null
  /** --step-time, seconds; default: ramp + measurement. */
  stepTimeSec?: number
}

export interface StepShape {
  /** Users start over this many seconds (0 in rate mode: the rate starts at once). */
  spawnSec: number
  /** After the spawn, time for every user to complete a cycle (rate mode: for the first responses). */
  settleSec: number
  /** Whole seconds left out of the statistics: spawn + settle, rounded up. */
  rampSec: number
  /** Seconds measured after the ramp. */
  measureSec: number
  /** The step's run time: ramp + measurement + 1 s, so that whole windows cover the measurement. */
  runSec: number
}

/** The fewest steady seconds a step may have, and the shortest default measurement. */
export const MIN_MEASURE_SEC = 3
const DEFAULT_MEASURE_SEC = 10
const MAX_MEASURE_SEC = 30
/** A response time allowed by the SLO longer than this does not lengthen the ramp further. */
const MAX_SETTLE_SEC = 30
/** Requests the default measurement aims for at the predicted rate, so that a p99 rests on six of them. */
const MEASURE_REQUESTS = 600

/** One user's cycle when each response takes `responseSec`. */
export function cycleSec(responseSec: number, wait: WaitModel): number {
  return wait.pacingSec === null ? responseSec + wait.meanSec : Math.max(wait.pacingSec, responseSec)
}

export function stepShape(input: StepShapeInput): StepShape {
  const slowest = Math.min(MAX_SETTLE_SEC, Math.max(input.serviceSec, input.latencyBoundSec ?? input.serviceSec))
  const spawnSec = input.mode === 'users' ? cycleSec(input.serviceSec, input.wait) : 0
  const settleSec = input.mode === 'users' ? cycleSec(slowest, input.wait) : slowest
  const rampSec = Math.ceil(spawnSec + settleSec)
  const byRequests = input.predictedRps ? MEASURE_REQUESTS / input.predictedRps : 0
  const measureSec = Math.ceil(Math.min(MAX_MEASURE_SEC, Math.max(DEFAULT_MEASURE_SEC, 2 * settleSec, byRequests)))
  if (input.stepTimeSec === undefined) return { spawnSec, settleSec, rampSec, measureSec, runSec: rampSec + measureSec + 1 }
  const left = Math.floor(input.stepTimeSec - rampSec - 1)
  if (left < MIN_MEASURE_SEC) {
    const why = input.mode === 'users'
      ? `users spawn over one ${fmtSec(spawnSec)} cycle, then each completes a cycle of up to ${fmtSec(settleSec)}`
      : `the first responses may take up to ${fmtSec(settleSec)}`
    throw new UsageError(`--step-time ${fmtSec(input.stepTimeSec)} is too short: a step's first ${rampSec} s are its ramp here (${why}), ` +
      `and at least ${MIN_MEASURE_SEC + 1} s more are needed to measure; use --step-time ${rampSec + MIN_MEASURE_SEC + 1}s or more`, { flag: '--step-time' })
  }
  return { spawnSec, settleSec, rampSec, measureSec: left, runSec: input.stepTimeSec }
}
