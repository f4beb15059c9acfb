// Locust's closed loop: each user owns one keep-alive connection, sends, waits for the answer, waits
// per --wait, and repeats until the run stops. A plain HTTP request goes on the fast path
// (raw-client.ts: a prebuilt request on node:net); anything else on an undici Client.
import { Client } from 'undici'
import { MeasuredRequest, clientOptions } from './measured-request.js'
import { RawClient } from './raw-client.js'
import { rawTarget, type RawTarget } from './raw-request.js'
import { waitSeconds } from './wait.js'
import { UserDriver } from './spawner.js'
import type { Driver, RunContext } from './context.js'
import type { EndpointTotals } from './stats.js'

/** After refused or DNS errors a user backs off (doubling up to this) so an unreachable host does not spin. */
const MAX_BACKOFF_SEC = 1
const FIRST_BACKOFF_SEC = 0.05

/** A user's one connection: undici's Client or the fast path's RawClient. */
interface UserClient {
  dispatch(ex: MeasuredRequest): void
  close(): Promise<void>
  destroy(): Promise<void>
}

class UndiciUserClient implements UserClient {
  private readonly client: Client

  constructor(private readonly ctx: RunContext) {
    this.client = new Client(ctx.plan.origin, clientOptions(ctx.plan))
  }

  dispatch(ex: MeasuredRequest): void {
    this.client.dispatch(this.ctx.nextSpec(), ex)
  }

  close(): Promise<void> {
    return this.client.close()
  }

  destroy(): Promise<void> {
    return this.client.destroy()
  }
}

function userClient(ctx: RunContext, raw: RawTarget | null): UserClient {
  if (!raw) return new UndiciUserClient(ctx)
  const { headersTimeout, connectTimeout } = clientOptions(ctx.plan)
  return new RawClient(raw, headersTimeout, connectTimeout)
}

class ClosedUser {
  private readonly client: UserClient
  private readonly exchange: MeasuredRequest
  private timer: NodeJS.Timeout | undefined
  private waitEndedAt = 0
  private backoffSec = FIRST_BACKOFF_SEC
  private retired = false
  private readonly sendNow = () => this.send()

  constructor(private readonly ctx: RunContext, private readonly ep: EndpointTotals, raw: RawTarget | null) {
    this.client = userClient(ctx, raw)
    this.exchange = new MeasuredRequest((ex, err) => this.onDone(ex, err), false, ctx.streamReader())
  }

  start(): void {
    this.waitEndedAt = performance.now()
    this.send()
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
  }

  /** Waiting: leaves now; mid-request: leaves when its answer is recorded (onDone). */
  retire(): void {
    this.retired = true
    if (this.timer) {
      this.stop()
      void this.client.close()
    }
  }

  close(): Promise<void> {
    return this.client.destroy()
  }

  private send(): void {
    this.timer = undefined
    if (this.ctx.stopped) return
    if (this.retired) {
      void this.client.close()
      return
    }
    this.exchange.reset(performance.now())
    this.ctx.inFlight++
    this.client.dispatch(this.exchange)
  }

  private onDone(ex: MeasuredRequest, err: Error | null): void {
    const failure = this.ctx.finish(this.ep, ex, err, this.ctx.plan.config.url)
    if (failure === null || this.ctx.stopped) return
    const now = performance.now()
    let wait = waitSeconds(this.ctx.plan.wait, (now - this.waitEndedAt) / 1000)
    if (failure && (failure.kind === 'refused' || failure.kind === 'dns')) {
      wait = Math.max(wait, this.backoffSec)
      this.backoffSec = Math.min(MAX_BACKOFF_SEC, this.backoffSec * 2)
    } else {
      this.backoffSec = FIRST_BACKOFF_SEC
    }
    this.waitEndedAt = now + wait * 1000
    // An error can be reported from inside dispatch(); never re-send synchronously after one.
    if (wait > 0 || err) this.timer = setTimeout(this.sendNow, wait * 1000)
    else this.send()
  }
}

/** The closed loop: users started at the spawn rate, each with its own connection. */
export function closedLoop(ctx: RunContext): Driver {
  const plan = ctx.plan
  const ep = ctx.recorder.endpoint(plan.method, plan.config.name)
  const raw = process.env.FLOODGATE_LOAD_UNDICI ? null : rawTarget(plan)
  return new UserDriver(plan.config.users, plan.config.spawnRate, () => new ClosedUser(ctx, ep, raw))
}
