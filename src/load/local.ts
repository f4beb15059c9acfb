// One generator process's whole run: builds the driver, ticks history windows on whole epoch seconds
// (so several processes' windows line up for merging), stops at --run-time or on abort, lets requests
// in flight finish for up to --drain seconds (default 2), and returns the LoadResult.
import { Recorder } from './recorder.js'
import { RunContext, type Driver } from './context.js'
import { closedLoop } from './closed.js'
import { OpenLoop } from './open.js'
import { scenarioLoop, loadScenario } from './scenario.js'
import { GeneratorSampler } from './generator.js'
import type { Plan } from './options.js'
import type { HistoryPoint, LoadResult } from './result.js'


export interface LoadTick {
  /** The second that just ended (its window figures and the running totals). */
  point: HistoryPoint
  elapsedSec: number
  totalSec: number
  cpuPercent: number
  rssBytes: number
  /** True on the tick where the generator's CPU warning starts. */
  cpuWarning: boolean
}

export interface RunHooks {
  onTick?: (tick: LoadTick) => void
  signal?: AbortSignal
  /** Epoch ms to start at (child processes start together); default now. */
  startAt?: number
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((done) => {
    if (signal?.aborted || ms <= 0) return done()
    const timer = setTimeout(finish, ms)
    function finish() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', finish)
      done()
    }
    signal?.addEventListener('abort', finish, { once: true })
  })
}

async function makeDriver(ctx: RunContext): Promise<Driver> {
  const { plan } = ctx
  if (plan.config.scenario) return scenarioLoop(ctx, await loadScenario(plan.config.scenario))
  return plan.config.mode === 'open' ? new OpenLoop(ctx) : closedLoop(ctx)
}

export async function runLocal(plan: Plan, hooks: RunHooks = {}): Promise<LoadResult> {
  const { signal } = hooks
  const recorder = new Recorder(plan.slos)
  const ctx = new RunContext(plan, recorder)
  const driver = await makeDriver(ctx)
  const runMs = plan.config.runTimeSec * 1000
  if (hooks.startAt) await sleep(hooks.startAt - Date.now(), signal)

  const sampler = new GeneratorSampler()
  const startedAt = Date.now()
  const t0 = performance.now()
  let lastTickAt = t0
  let nextSec = Math.floor(startedAt / 1000) + 1
  let ticker: NodeJS.Timeout | undefined

  const closeWindow = (tSec: number) => {
    const now = performance.now()
    const point = recorder.closeWindow(tSec, (now - lastTickAt) / 1000, driver.users(), ctx.inFlight)
    lastTickAt = now
    const s = sampler.sample()
    point.cpuPercent = s.cpuPercent
    point.rssBytes = s.rssBytes
    hooks.onTick?.({
      point, elapsedSec: (now - t0) / 1000, totalSec: plan.config.runTimeSec,
      cpuPercent: s.cpuPercent, rssBytes: s.rssBytes, cpuWarning: s.warn
    })
  }
  const tick = () => {
    closeWindow(nextSec)
    nextSec++
    ticker = setTimeout(tick, Math.max(0, nextSec * 1000 - Date.now()))
  }
  ticker = setTimeout(tick, nextSec * 1000 - Date.now())

  driver.start()
  await sleep(runMs, signal)
  const interrupted = signal?.aborted === true
  const stoppedAt = performance.now()
  ctx.stopped = true
  driver.stop()
  while (ctx.inFlight > 0 && performance.now() - stoppedAt < plan.drainMs) await sleep(10)
  recorder.abandoned = ctx.inFlight
  ctx.closing = true
  await driver.close()
  clearTimeout(ticker)
  // The last, partial second; its t is the second it ends in, after every full window's t.
  closeWindow(Math.max(nextSec, Math.ceil(Date.now() / 1000)))

  const endedAt = Date.now()
  // Locust divides by the time to the last response; a run with none uses the time it ran.
  const lastAt = recorder.lastResponseAt > t0 ? recorder.lastResponseAt : stoppedAt
  const durationSec = Math.max(0.001, (lastAt - t0) / 1000)
  return recorder.toResult(plan.config, startedAt, endedAt, durationSec, interrupted, sampler.stats())
}
