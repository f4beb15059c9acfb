// Where the boundary should be, before and between steps. Before: the calibration's service time, CPU
// per request and run slots give the most requests/s the target can serve (the least of cores / CPU per
// request and run slots / service time), and the closed-loop law turns that rate into users: N = X x
// (response time + wait), with the response time the SLO allows. Between: the same law on a step's
// measured throughput, once the throughput has stopped following the users. Pure.
import type { WaitModel } from '../report/index.js'
import { fmtCount, fmtMs, fmtRate, fmtSec } from '../report/index.js'
import type { CapacityMode } from './step-shape.js'
import { cycleSec } from './step-shape.js'

export interface Calibration {
  /** Sequential requests sent (the first, cold one excluded from the service time). */
  requests: number
  latenciesMs: number[]
  /** Median latency of the warm requests, seconds. */
  serviceSec: number
  /** CPU of the processes started for the target (server and its services) per request, ms; null when not sampled. */
  cpuMsPerRequest: number | null
  cores: number
  /** Runs a flow with sync tools executes at once (the server's /metrics), when it has them. */
  runSlots: number | null
}

export type Limit = 'pool' | 'cpu'

export interface Prediction {
  /** Most requests/s the calibration allows; null when nothing bounds it (an external target). */
  maxRps: number | null
  limitedBy: Limit | null
  /** The first step's load (users or req/s). */
  load: number
  /** The reasoning, with its figures. */
  text: string
}

/** A load keeping about this many requests in flight starts the search when nothing predicts better. */
const BLIND_IN_FLIGHT = 8
/** In the open loop a rate at the limit queues without bound: the SLO boundary lies below it. */
const OPEN_LOOP_SHARE = 0.9
/** A step whose throughput is below this share of what its users ask for is saturated. */
const SATURATED_SHARE = 0.9

/** Why the calibration gives no limit. */
function unbounded(cal: Calibration): string {
  const cpu = cal.cpuMsPerRequest === null ? 'no CPU sampled' : 'CPU per request too small to measure'
  return `${cpu}, no run slots reported`
}

export function predict(cal: Calibration, mode: CapacityMode, wait: WaitModel, latencyBoundSec: number | null, lowest: number): Prediction {
  const limits: { limit: Limit; rps: number; why: string }[] = []
  if (cal.runSlots && cal.serviceSec > 0) {
    limits.push({ limit: 'pool', rps: cal.runSlots / cal.serviceSec, why: `${fmtCount(cal.runSlots)} run slots / ${fmtSec(cal.serviceSec)} per run` })
  }
  if (cal.cpuMsPerRequest && cal.cpuMsPerRequest > 0) {
    limits.push({
      limit: 'cpu', rps: (cal.cores * 1000) / cal.cpuMsPerRequest,
      why: `${cal.cores} cores / ${fmtMs(cal.cpuMsPerRequest, 2)} of CPU per request (server and services, at low load)`
    })
  }
  const response = Math.max(cal.serviceSec, latencyBoundSec ?? cal.serviceSec)
  const best = limits.sort((a, b) => a.rps - b.rps)[0]
  if (latencyBoundSec !== null && cal.serviceSec > latencyBoundSec) {
    // A response alone takes longer than the SLO allows: only the lowest load can tell whether any passes.
    return {
      maxRps: best?.rps ?? null, limitedBy: best?.limit ?? null, load: lowest,
      text: `the service time alone, ${fmtSec(cal.serviceSec)}, exceeds the SLO's ${fmtSec(latencyBoundSec)}: the first step is the lowest load`
    }
  }
  if (!best) {
    const load = mode === 'users' ? (BLIND_IN_FLIGHT * cycleSec(cal.serviceSec, wait)) / Math.max(cal.serviceSec, 0.001) : BLIND_IN_FLIGHT / Math.max(cal.serviceSec, 0.001)
    return {
      maxRps: null, limitedBy: null, load,
      text: `nothing bounds the throughput before measuring (${unbounded(cal)}): the first step keeps about ${BLIND_IN_FLIGHT} requests in flight`
    }
  }
  const load = mode === 'users' ? best.rps * cycleSec(response, wait) : best.rps * OPEN_LOOP_SHARE
  const how = mode === 'users'
    ? `x ${fmtSec(cycleSec(response, wait))} per user cycle (a ${fmtSec(response)} response${wait.pacingSec === null ? ` + ${fmtSec(wait.meanSec)} wait` : `, paced at ${fmtSec(wait.pacingSec)}`})`
    : `x ${OPEN_LOOP_SHARE} (an open loop at its limit queues without bound)`
  return {
    maxRps: best.rps, limitedBy: best.limit, load,
    text: `limit ${fmtRate(best.rps)} (${best.limit}: ${best.why}); first step ${fmtRate(best.rps)} ${how}`
  }
}

/**
 * The closed-loop law on a measured step: when the step's throughput fell short of what its load asks
 * for, that throughput is the limit, and the boundary lies where a user's cycle at it takes the response
 * time the SLO allows. Null when the step was not saturated (no estimate).
 */
export function aimFromStep(mode: CapacityMode, serviceSec: number, wait: WaitModel, latencyBoundSec: number | null) {
  return (load: number, achievedRps: number): number | null => {
    if (!(achievedRps > 0)) return null
    const asked = mode === 'users' ? load / cycleSec(serviceSec, wait) : load
    if (achievedRps >= SATURATED_SHARE * asked) return null
    const response = Math.max(serviceSec, latencyBoundSec ?? serviceSec)
    return mode === 'users' ? achievedRps * cycleSec(response, wait) : achievedRps * OPEN_LOOP_SHARE
  }
}
