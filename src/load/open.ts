// Open loop: requests are scheduled at a fixed (or linearly ramping) rate, whatever the server does.
// Latency counts from each request's intended send time, so a stalled server shows in the percentiles
// instead of silently slowing the generator (no coordinated omission). A scheduled request that finds
// --max-in-flight requests outstanding is dropped and counted, never queued.
import { Pool } from 'undici'
import { Exchange, clientOptions, requestSpec, type RequestSpec } from './exchange.js'
import type { Driver, RunContext } from './context.js'
import type { EndpointTotals } from './stats.js'

/** Arrivals expected by `t` seconds: the integral of a rate ramping linearly from r0 to r1 over `span`. */
export function arrivalsBy(t: number, r0: number, r1: number, span: number): number {
  const tt = Math.min(t, span)
  return r0 * tt + ((r1 - r0) * tt * tt) / (2 * span) + (t > span ? r1 * (t - span) : 0)
}

/** The time (seconds) of the n-th arrival (n from 0): the inverse of arrivalsBy. */
export function arrivalTime(n: number, r0: number, r1: number, span: number): number {
  if (r0 === r1) return n / r0
  const a = (r1 - r0) / (2 * span)
  const t = (-r0 + Math.sqrt(r0 * r0 + 4 * a * n)) / (2 * a)
  if (t <= span) return t
  return span + (n - arrivalsBy(span, r0, r1, span)) / r1
}

export class OpenLoop implements Driver {
  private readonly pool: Pool
  private readonly spec: RequestSpec
  private readonly ep: EndpointTotals
  private readonly free: Exchange[] = []
  private readonly onDone = (ex: Exchange, err: Error | null) => this.done(ex, err)
  private timer: NodeJS.Timeout | undefined
  private t0 = 0
  private sent = 0
  private readonly r0: number
  private readonly r1: number
  private readonly span: number
  private readonly maxInFlight: number
  /** Arrivals in the run time (t in [0, span)): a late stop timer must not add more. */
  private readonly total: number

  constructor(private readonly ctx: RunContext) {
    const config = ctx.plan.config
    this.maxInFlight = config.maxInFlight ?? 1000
    this.pool = new Pool(ctx.plan.origin, { ...clientOptions(ctx.plan), connections: this.maxInFlight })
    this.spec = requestSpec(ctx.plan)
    this.ep = ctx.recorder.endpoint(ctx.plan.method, config.name)
    this.r0 = config.rate ?? 1
    this.r1 = config.rampTo ?? this.r0
    this.span = config.runTimeSec
    this.total = Math.ceil(arrivalsBy(this.span, this.r0, this.r1, this.span) - 1e-9)
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
    const due = Math.min(this.total, Math.floor(arrivalsBy((now - this.t0) / 1000, this.r0, this.r1, this.span)) + 1)
    while (this.sent < due) {
      const intended = this.t0 + arrivalTime(this.sent, this.r0, this.r1, this.span) * 1000
      this.sent++
      if (this.ctx.inFlight >= this.maxInFlight) {
        this.ctx.recorder.dropped++
        continue
      }
      const ex = this.free.pop() ?? new Exchange(this.onDone)
      ex.reset(intended)
      this.ctx.inFlight++
      this.pool.dispatch(this.spec, ex)
    }
    if (this.sent >= this.total) return
    const next = this.t0 + arrivalTime(this.sent, this.r0, this.r1, this.span) * 1000
    this.timer = setTimeout(() => this.tick(), Math.max(0, next - performance.now()))
  }

  private done(ex: Exchange, err: Error | null): void {
    this.ctx.finish(this.ep, ex.startedAt, ex.status, ex.bytes, err, this.ctx.plan.config.url)
    this.free.push(ex)
  }
}
