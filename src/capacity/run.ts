// `floodgate capacity` as a library function: start the variant's services (as bench does), calibrate,
// predict the first step, search, and write capacity.json, capacity.md and capacity.html. Ctrl-C (an
// aborted signal) stops the running step with its results kept and still writes what was found; an
// error after the start writes it too, then is thrown.
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import {
  ChildGroup, nodeTimings, requestSpec, sampledRoots, scrapeMetrics, startServices, stopServices, type LoadProgress, type RunningService
} from '../bench/index.js'
import { messageOf, UsageError } from '../errors.js'
import { waitModel } from '../report/index.js'
import type { NodeTiming } from '../report/bench/data.js'
import { calibrate } from './calibrate.js'
import type { CapacityFile, CapacityStep } from './data.js'
import { CAPACITY_VERSION } from './data.js'
import { LiveSteps } from './live-steps.js'
import { resolveCapacity, type CapacityInput } from './options.js'
import { aimFromStep, predict, type Calibration, type Prediction } from './predict.js'
import { writeCapacityReport, type WrittenCapacity } from './report.js'
import { searchCapacity, type StopReason } from './search.js'
import { latencyBoundMs } from './slo.js'
import { cycleSec, stepShape, type StepShape } from './step-shape.js'
import { summarize, type CapacityHeader } from './summary.js'

export interface CapacityOptions extends CapacityInput {
  /** Output folder; default reports/capacity-<timestamp>/. */
  out?: string
  signal?: AbortSignal
  /** Seconds a stopped process gets before SIGKILL, ms. */
  graceMs?: number
  onCalibrated?: (calibration: Calibration, prediction: Prediction, shape: StepShape) => void
  onProgress?: (step: number, load: number, progress: LoadProgress) => void
  onStep?: (step: CapacityStep, elapsedSec: number) => void
}

export interface CapacityRun {
  dir: string
  file: CapacityFile
  written: WrittenCapacity
  interrupted: boolean
}

/** A step's start-up and drain beyond its run time, until the first step measures them. */
const STEP_OVERHEAD_SEC = 4
const DEFAULT_GRACE_MS = 5000

function timestamp(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, '').replace(/:/g, '-')
}

export async function runCapacity(options: CapacityOptions): Promise<CapacityRun> {
  const r = resolveCapacity(options)
  const startedAtMs = Date.now()
  const dir = resolve(options.out ?? `reports/capacity-${timestamp()}`)
  mkdirSync(dir, { recursive: true })
  const signal = options.signal ?? new AbortController().signal
  const grace = options.graceMs ?? DEFAULT_GRACE_MS
  const group = new ChildGroup()
  const running = new Map<string, RunningService>()
  // Ctrl-C: stop the running step's generator first (it writes what it measured), then the services.
  const onAbort = () => void group.stopAll(grace)
  signal.addEventListener('abort', onAbort, { once: true })
  const plan = r.plan
  const header: CapacityHeader = {
    version: CAPACITY_VERSION, tool: 'floodgate', kind: 'capacity', created_at: new Date(startedAtMs).toISOString(),
    target: { variant: plan.name, kind: plan.kind, url: '', services: [] },
    mode: r.mode, unit: r.unit, slo: r.slos.map((s) => s.text), bounds: { lowest: r.lowest, highest: r.highest },
    load: { wait: plan.load.wait, method: plan.load.method, path: plan.load.path, timeout_sec: plan.load.timeoutSec },
    step_shape: null, budget_sec: r.budgetSec, elapsed_sec: 0, calibration: null, prediction: null,
    stop_reason: 'interrupted', interrupted: false, error: null
  }
  let live: LiveSteps | null = null
  let failure: unknown = null
  try {
    const { url, metricsUrl } = await startServices(plan, running, group, signal)
    header.target.url = url
    header.target.services = [...running.values()].map((s) => s.info)
    const roots = sampledRoots(plan, running)
    const cal = await calibrate({
      what: plan.name, url, spec: requestSpec(plan.load), requests: Math.max(3, plan.load.warmup), timeoutSec: plan.load.timeoutSec,
      pids: roots.map((x) => x.pid), metricsUrl
    })
    header.calibration = {
      requests: cal.requests, latencies_ms: cal.latenciesMs, service_ms: cal.serviceSec * 1000, cpu_ms_per_request: cal.cpuMsPerRequest,
      cores: cal.cores, run_slots: cal.runSlots
    }
    const scraped = metricsUrl ? await scrapeMetrics(metricsUrl) : null
    const lowNodes: NodeTiming[] = scraped ? nodeTimings(scraped) : []
    const wait = waitModel(plan.load.wait)
    const boundMs = latencyBoundMs(r.slos)
    const boundSec = boundMs === null ? null : boundMs / 1000
    const prediction = predict(cal, r.mode, wait, boundSec, r.lowest)
    header.prediction = { max_rps: prediction.maxRps, limited_by: prediction.limitedBy, load: prediction.load, text: prediction.text }
    const shape = stepShape({ mode: r.mode, serviceSec: cal.serviceSec, wait, latencyBoundSec: boundSec, predictedRps: prediction.maxRps, stepTimeSec: r.stepTimeSec })
    header.step_shape = { run_sec: shape.runSec, ramp_sec: shape.rampSec, spawn_sec: shape.spawnSec, settle_sec: shape.settleSec, measure_sec: shape.measureSec }
    options.onCalibrated?.(cal, prediction, shape)
    live = new LiveSteps({
      plan, url, metricsUrl, services: header.target.services, roots, group, signal, dir, mode: r.mode, shape, slos: r.slos,
      serviceSec: cal.serviceSec, cycleSec: cycleSec(cal.serviceSec, wait), warmupMs: cal.latenciesMs, lowNodes,
      extraArgs: r.extraArgs, maxInFlight: r.maxInFlight, startedAtMs, graceMs: grace, onProgress: options.onProgress,
      onStep: (step) => options.onStep?.(step, (Date.now() - startedAtMs) / 1000)
    })
    const aim = aimFromStep(r.mode, cal.serviceSec, wait, boundSec)
    const outcome = await searchCapacity(live, {
      unit: r.unit, lowest: r.lowest, highest: r.highest, first: prediction.load, budgetSec: r.budgetSec,
      stepSec: shape.runSec + STEP_OVERHEAD_SEC, aim: (load, v) => aim(load, v.achievedRps ?? 0), signal
    })
    header.stop_reason = outcome.stopReason
  } catch (err) {
    if (!signal.aborted) failure = err
  } finally {
    signal.removeEventListener('abort', onAbort)
    await stopServices(running, group, grace)
  }
  // A usage error found once the service time is known (a --step-time too short for it) ends the run
  // as a usage error: nothing was measured.
  if (failure instanceof UsageError) throw failure
  header.interrupted = signal.aborted
  if (signal.aborted) header.stop_reason = 'interrupted' as StopReason
  header.error = failure === null ? null : messageOf(failure)
  header.elapsed_sec = (Date.now() - startedAtMs) / 1000
  const file = summarize(header, live?.steps ?? [])
  const written = await writeCapacityReport(dir, file)
  if (failure !== null) throw failure
  return { dir, file, written, interrupted: signal.aborted }
}
