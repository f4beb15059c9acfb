// The search's steps, for real: each is one `floodgate load` run in its own process (as bench runs its
// load), with every started process and the target's /metrics sampled each second and the flow's node
// times scraped before and after; its files go to steps/NN-<load>-<unit>/ in bench's layout, and it is
// judged on its steady part.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import {
  baseMeta, nodeTimings, runVariantLoad, Sampler, scrapeMetrics, type ChildGroup, type LoadProgress, type SampledRoot, type VariantPlan
} from '../bench/index.js'
import type { Threshold } from '../load/index.js'
import { variantFiles, writeJson } from '../report/index.js'
import type { NodeTiming, ServiceInfo } from '../report/bench/data.js'
import type { CapacityStep, CapacityUnit } from './data.js'
import { judgeStep } from './judge.js'
import type { NodeTimes } from './node-times.js'
import type { StepPurpose, StepRunner, StepVerdict } from './search.js'
import type { CapacityMode, StepShape } from './step-shape.js'

export const STEPS_DIR = 'steps'
export const NODES_FILE = 'nodes.json'

export interface LiveStepsContext {
  plan: VariantPlan
  url: string
  metricsUrl: string | null
  services: ServiceInfo[]
  roots: SampledRoot[]
  group: ChildGroup
  signal: AbortSignal
  /** The capacity folder. */
  dir: string
  mode: CapacityMode
  shape: StepShape
  slos: Threshold[]
  serviceSec: number
  /** One user's cycle at the service time, seconds (users / it = what the users ask for). */
  cycleSec: number
  warmupMs: number[]
  lowNodes: NodeTiming[]
  /** Flags for every step's `floodgate load` beyond the profile's (--processes, --name, ...). */
  extraArgs: string[]
  /** Open loop: requests in flight at most (--max-in-flight), else sized from the rate. */
  maxInFlight?: number
  startedAtMs: number
  graceMs?: number
  onProgress?: (step: number, load: number, progress: LoadProgress) => void
  onStep?: (step: CapacityStep) => void
}

/** Open loop, no --max-in-flight: room for four times the requests the slowest allowed response keeps in flight. */
function inFlightFor(rate: number, slowestSec: number): number {
  return Math.max(100, Math.ceil(rate * slowestSec * 4))
}

export function stepDirName(index: number, load: number, unit: CapacityUnit): string {
  return `${String(index).padStart(2, '0')}-${load}-${unit}`
}

export class LiveSteps implements StepRunner {
  readonly steps: CapacityStep[] = []
  private readonly unit: CapacityUnit

  constructor(private readonly ctx: LiveStepsContext) {
    this.unit = ctx.mode === 'users' ? 'users' : 'rps'
  }

  elapsedSec(): number {
    return (Date.now() - this.ctx.startedAtMs) / 1000
  }

  private async nodes(): Promise<NodeTiming[]> {
    const metrics = this.ctx.metricsUrl ? await scrapeMetrics(this.ctx.metricsUrl) : null
    return metrics ? nodeTimings(metrics) : []
  }

  async run(load: number, purpose: StepPurpose): Promise<StepVerdict> {
    const { ctx } = this
    const index = this.steps.length + 1
    const name = stepDirName(index, load, this.unit)
    const stepsDir = join(ctx.dir, STEPS_DIR)
    const files = variantFiles(stepsDir, name)
    mkdirSync(files.dir, { recursive: true })
    const users = ctx.mode === 'users' ? load : 1
    const plan: VariantPlan = {
      ...ctx.plan, name,
      load: { ...ctx.plan.load, users, spawnRate: ctx.mode === 'users' ? users / ctx.shape.spawnSec : 1, runTimeSec: ctx.shape.runSec }
    }
    const extra = [...ctx.extraArgs]
    if (ctx.mode === 'rate') extra.push('--rate', String(load), '--max-in-flight', String(ctx.maxInFlight ?? inFlightFor(load, ctx.shape.settleSec)))
    const sampler = new Sampler(ctx.metricsUrl)
    for (const root of ctx.roots) sampler.add(root)
    const meta = { ...baseMeta(plan), url: ctx.url, services: ctx.services, warmupMs: ctx.warmupMs }
    sampler.start()
    let samples
    let result
    let before: NodeTiming[] = []
    try {
      before = await this.nodes()
      result = await runVariantLoad(plan, ctx.url, { outDir: stepsDir, signal: ctx.signal, graceMs: ctx.graceMs, onProgress: (_, p) => ctx.onProgress?.(index, load, p) },
        ctx.group, sampler, extra)
    } finally {
      samples = await sampler.stop()
    }
    const nodes: NodeTimes = { low: ctx.lowNodes, before, after: await this.nodes() }
    meta.status = result.interrupted ? 'interrupted' : 'ok'
    meta.endedAt = Date.now()
    writeJson(files.meta, meta)
    writeJson(files.samples, samples)
    writeJson(join(files.dir, NODES_FILE), nodes)
    const offered = ctx.mode === 'users' ? load / ctx.cycleSec : load
    const step = judgeStep(
      { index, load, unit: this.unit, purpose, dir: `${STEPS_DIR}/${name}`, rampSec: ctx.shape.rampSec, offeredRps: offered },
      { result, meta, samples, nodes }, ctx.slos, ctx.serviceSec * 1000)
    this.steps.push(step)
    ctx.onStep?.(step)
    return { passed: step.passed, margin: step.margin ?? Infinity, complete: step.status === 'ok', achievedRps: step.achieved_rps }
  }
}
