// --processes P: P generator processes on this machine, each running its share of users (or of the
// open-loop rate), started at the same epoch time. The parent merges their per-second ticks for the
// live console and their LoadResults exactly (mergeResults) at the end.
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { StartupError } from '../errors.js'
import { processExecArgv, siblingUrl } from '../process/index.js'
import { combinePoints, mergeResults } from './merge.js'
import type { LoadTick, RunHooks } from './local.js'
import type { Plan } from './options.js'
import type { HistoryPoint, LoadResult } from './result.js'

export type ParentMessage =
  | { type: 'run'; plan: Omit<Plan, 'body'>; body?: string; startAt: number }
  | { type: 'stop' }

export type ChildMessage =
  | { type: 'ready' }
  | { type: 'tick'; tick: LoadTick }
  | { type: 'result'; result: LoadResult }
  | { type: 'error'; message: string; stack: string }

/** Children need time to load before the common start. */
const START_DELAY_MS = 300
const READY_TIMEOUT_MS = 30_000

/** Splits `total` into `parts` whole shares differing by at most one. */
export function shares(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0))
}

/** The plan each child runs: its users (and spawn rate in proportion) or its part of the rate. */
export function splitPlan(plan: Plan, parts: number): Plan[] {
  const c = plan.config
  const users = shares(c.users, parts)
  let idOffset = plan.idOffset
  return users.map((u, i) => {
    const config = { ...c, users: Math.max(1, u), spawnRate: (c.spawnRate * Math.max(1, u)) / c.users, processes: 1 }
    if (c.rate !== undefined) config.rate = c.rate / parts
    if (c.rampTo !== undefined) config.rampTo = c.rampTo / parts
    if (c.maxInFlight !== undefined) config.maxInFlight = shares(c.maxInFlight, parts)[i] || 1
    // Each process its own arrival sequence (seed + i), as each mock worker has its own delays.
    const part = { ...plan, config, idOffset, arrival: { ...plan.arrival, seed: plan.arrival.seed + i } }
    idOffset += u
    return part
  })
}

class Child {
  result: LoadResult | undefined
  error: string | undefined
  readonly exited: Promise<number | null>
  readonly ready: Promise<void>

  constructor(readonly proc: ChildProcess, onTick: (tick: LoadTick) => void) {
    let onReady: () => void = () => {}
    this.ready = new Promise((done) => (onReady = done))
    proc.on('message', (m: ChildMessage) => {
      if (m.type === 'ready') onReady()
      else if (m.type === 'tick') onTick(m.tick)
      else if (m.type === 'result') this.result = m.result
      else if (m.type === 'error') this.error = m.stack || m.message
    })
    this.exited = new Promise((done) => proc.on('exit', (code) => done(code)))
  }

  send(m: ParentMessage): void {
    if (this.proc.connected) this.proc.send(m)
  }
}

/** Collects ticks by second and emits one merged tick once every running child has reported it. */
class TickMerger {
  private readonly pending = new Map<number, LoadTick[]>()
  private readonly latest: (HistoryPoint | undefined)[]

  constructor(private readonly count: number, private readonly onTick?: (tick: LoadTick) => void) {
    this.latest = Array.from({ length: count }, () => undefined)
  }

  add(index: number, tick: LoadTick): void {
    this.latest[index] = tick.point
    const list = this.pending.get(tick.point.t) ?? []
    list.push(tick)
    this.pending.set(tick.point.t, list)
    if (list.length === this.count) this.flush(tick.point.t)
  }

  private flush(t: number): void {
    const ticks = this.pending.get(t) ?? []
    this.pending.delete(t)
    if (!ticks.length) return
    const point = combinePoints(t, ticks.map((x) => x.point), this.latest)
    this.onTick?.({
      point,
      elapsedSec: Math.max(...ticks.map((x) => x.elapsedSec)),
      totalSec: ticks[0].totalSec,
      cpuPercent: ticks.reduce((a, x) => a + x.cpuPercent, 0),
      rssBytes: ticks.reduce((a, x) => a + x.rssBytes, 0),
      cpuWarning: ticks.some((x) => x.cpuWarning)
    })
  }
}

export async function runProcesses(plan: Plan, hooks: RunHooks = {}): Promise<LoadResult> {
  const parts = splitPlan(plan, plan.config.mode === 'closed' ? Math.min(plan.config.processes, plan.config.users) : plan.config.processes)
  const merger = new TickMerger(parts.length, hooks.onTick)
  const entry = siblingUrl('child', import.meta.url)
  const children = parts.map((_, i) => new Child(
    fork(fileURLToPath(entry), [], { execArgv: processExecArgv(entry), stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }),
    (tick) => merger.add(i, tick)
  ))
  const stopAll = () => children.forEach((c) => c.send({ type: 'stop' }))
  hooks.signal?.addEventListener('abort', stopAll, { once: true })
  try {
    let timer: NodeJS.Timeout | undefined
    const failedEarly = Promise.race(children.map((c, i) => c.exited.then((code) => {
      throw new StartupError(`load process ${i + 1} exited (code ${code}) before it was ready`)
    })))
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StartupError(`load processes were not ready within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS)
    })
    failedEarly.catch(() => {})
    await Promise.race([Promise.all(children.map((c) => c.ready)), failedEarly, timeout]).finally(() => clearTimeout(timer))
    const startAt = Date.now() + START_DELAY_MS
    children.forEach((c, i) => {
      const { body, ...rest } = parts[i]
      c.send({ type: 'run', plan: rest, ...(body ? { body: body.toString('base64') } : {}), startAt })
      if (hooks.signal?.aborted) c.send({ type: 'stop' })
    })
    await Promise.all(children.map((c) => c.exited))
  } catch (err) {
    children.forEach((c) => c.proc.kill('SIGKILL'))
    throw err
  } finally {
    hooks.signal?.removeEventListener('abort', stopAll)
  }
  const failed = children.find((c) => c.error)
  if (failed) throw new StartupError(`a load process failed: ${failed.error}`)
  const results = children.map((c) => c.result).filter((r): r is LoadResult => r !== undefined)
  if (results.length === 0) throw new StartupError('no load process reported a result')
  const merged = mergeResults(results)
  // A child that died without a result leaves the figures incomplete: say so rather than hide it.
  if (results.length < children.length) merged.interrupted = true
  return merged
}
