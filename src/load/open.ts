// Open loop: requests are scheduled at a fixed (or linearly ramping) rate, or as random arrivals
// (--arrival poisson, --burstiness), whatever the server does. Latency counts from each request's
// intended send time, so a stalled server shows in the percentiles instead of silently slowing the
// generator (no coordinated omission). A scheduled request that finds --max-in-flight requests
// outstanding is dropped and counted, never queued.
import { Pool } from 'undici'
import { MeasuredRequest, clientOptions } from './measured-request.js'
import { arrivalSchedule, type Schedule } from './arrival-schedule.js'
import type { Driver, RunContext } from './context.js'
import type { EndpointTotals } from './stats.js'

// The schedule's arithmetic lives with the schedules; kept importable from here.
export { arrivalTime, arrivalsBy } from './arrival-schedule.js'

export class OpenLoop implements Driver {
  private readonly pool: Pool
  private readonly ep: EndpointTotals
  private readonly free: MeasuredRequest[] = []
  private readonly onDone = (ex: MeasuredRequest, err: Error | null) => this.done(ex, err)
  private readonly tickNow = () => this.tick()
  private timer: NodeJS.Timeout | undefined
  private t0 = 0
  private readonly maxInFlight: number
  /** Arrivals in the run time only (t in [0, run time)): a late stop timer must not add more. */
  private readonly schedule: Schedule
  /** Seconds from t0 of the next arrival; null when none is left. */
  private nextAt: number | null

  constructor(private readonly ctx: RunContext) {
    const config = ctx.plan.config
    this.maxInFlight = config.maxInFlight ?? 1000
    this.pool = new Pool(ctx.plan.origin, { ...clientOptions(ctx.plan), connections: this.maxInFlight })
    this.ep = ctx.recorder.endpoint(ctx.plan.method, config.name)
    const r0 = config.rate ?? 1
    this.schedule = arrivalSchedule(ctx.plan.arrival, r0, config.rampTo ?? r0, config.runTimeSec)
    this.nextAt = this.schedule.next()
  }

  start(): void {
    this.t0 = performance.now()
    this.tick()
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
  }

  users(): number {
    return this.ctx.inFlight
  }

  close(): Promise<void> {
    return this.pool.destroy()
  }

  private tick(): void {
    this.timer = undefined
    if (this.ctx.stopped) return
    const now = performance.now()
    while (this.nextAt !== null && this.t0 + this.nextAt * 1000 <= now) {
      const intended = this.t0 + this.nextAt * 1000
      this.nextAt = this.schedule.next()
      if (this.ctx.inFlight >= this.maxInFlight) {
        this.ctx.recorder.dropped++
        continue
      }
      const ex = this.free.pop() ?? new MeasuredRequest(this.onDone, false, this.ctx.streamReader())
      ex.reset(intended)
      this.ctx.inFlight++
      this.pool.dispatch(this.ctx.nextSpec(), ex)
    }
    if (this.nextAt === null) return
    this.timer = setTimeout(this.tickNow, Math.max(0, this.t0 + this.nextAt * 1000 - performance.now()))
  }

  private done(ex: MeasuredRequest, err: Error | null): void {
    this.ctx.finish(this.ep, ex, err, this.ctx.plan.config.url)
    this.free.push(ex)
  }
}
