// Calibration: sequential requests, alone on the target, as bench's warm-up sends them. Their median (the
// cold first one left out) is the service time; the CPU the started processes spent meanwhile, per
// request, and the run slots the server reports, are what the first step is predicted from.
import { descendantsOf, metricsSample, readProc, scrapeMetrics, warmUp, type RequestSpec } from '../bench/index.js'
import { lowLoadServiceSec } from '../report/index.js'
import { availableParallelism } from 'node:os'
import type { Calibration } from './predict.js'

/** Requests continue until this long has passed (CPU is counted in 10 ms ticks), within MAX_REQUESTS. */
const MIN_CALIBRATION_SEC = 2
const MAX_REQUESTS = 200
/** The processes' idle CPU (timers, watchdogs, pool housekeeping) is measured this long, with no request. */
const IDLE_SEC = 1

/** CPU ms of the processes and all their descendants now; null when none could be read. */
function treeCpuMs(pids: number[]): number | null {
  let total = 0
  let seen = false
  for (const root of pids) {
    for (const pid of [root, ...descendantsOf(root)]) {
      const info = readProc(pid)
      if (info) {
        total += info.cpuMs
        seen = true
      }
    }
  }
  return seen ? total : null
}

export interface CalibrateInput {
  what: string
  url: string
  spec: RequestSpec
  /** At least this many requests (bench.yaml's warmup, at least 3). */
  requests: number
  timeoutSec: number
  /** Processes started for the target (server and its services); none for an external one. */
  pids: number[]
  metricsUrl: string | null
}

/**
 * CPU per request at low load, with the processes' idle CPU over the same time taken off: at a request
 * every second or so, timers and housekeeping would otherwise count as the requests' cost several times
 * over (43 ms per request for the study's sync server, against about 5 under load).
 */
function perRequestMs(busyMs: number | null, busySec: number, idleMsPerSec: number | null, requests: number): number | null {
  if (busyMs === null || idleMsPerSec === null || requests <= 0) return null
  return Math.max(0, busyMs - idleMsPerSec * busySec) / requests
}

export async function calibrate(input: CalibrateInput): Promise<Calibration> {
  const what = `${input.what}: calibration`
  // The first request is cold (connections, compilation): its CPU and time are left out.
  const latenciesMs = await warmUp(what, input.url, input.spec, 1, input.timeoutSec)
  const idle0 = treeCpuMs(input.pids)
  const i0 = performance.now()
  if (idle0 !== null) await new Promise((done) => setTimeout(done, IDLE_SEC * 1000))
  const idle1 = treeCpuMs(input.pids)
  const idleMsPerSec = idle0 !== null && idle1 !== null ? (idle1 - idle0) / ((performance.now() - i0) / 1000) : null
  const cpu0 = treeCpuMs(input.pids)
  const t0 = performance.now()
  latenciesMs.push(...await warmUp(what, input.url, input.spec, 1, input.timeoutSec))
  const first = latenciesMs[1]!
  const more = Math.min(MAX_REQUESTS, Math.max(input.requests, Math.ceil((MIN_CALIBRATION_SEC * 1000) / Math.max(first, 1)) + 1)) - 2
  if (more > 0) latenciesMs.push(...await warmUp(what, input.url, input.spec, more, input.timeoutSec))
  const cpu1 = treeCpuMs(input.pids)
  const warm = latenciesMs.length - 1
  const elapsedSec = (performance.now() - t0) / 1000
  const metrics = input.metricsUrl ? await scrapeMetrics(input.metricsUrl) : null
  const slots = metrics ? metricsSample(metrics, 0).poolRunSlots ?? null : null
  return {
    requests: latenciesMs.length,
    latenciesMs,
    serviceSec: lowLoadServiceSec(latenciesMs) ?? first / 1000,
    cpuMsPerRequest: perRequestMs(cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null, elapsedSec, idleMsPerSec, warm),
    cores: availableParallelism(),
    runSlots: slots && slots > 0 ? slots : null
  }
}
