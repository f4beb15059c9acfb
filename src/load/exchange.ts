// One request/response on an undici dispatcher, through its low-level handler API: no Response
// object, no body stream; body bytes are counted (and kept only when a scenario asks for them).
// One Exchange is reused for every request of a closed-loop user.
import type { Dispatcher } from 'undici'
import type { Plan } from './options.js'

export type ExchangeDone = (ex: Exchange, error: Error | null) => void

export class Exchange implements Dispatcher.DispatchHandler {
  status = 0
  bytes = 0
  /** performance.now() the latency counts from: send time (closed loop) or intended send time (open loop). */
  startedAt = 0
  chunks: Buffer[] | null = null
  private finished = false

  constructor(private readonly done: ExchangeDone, keepBody = false) {
    if (keepBody) this.chunks = []
  }

  reset(startedAt: number): void {
    this.status = 0
    this.bytes = 0
    this.startedAt = startedAt
    this.finished = false
    if (this.chunks) this.chunks = []
  }

  onRequestStart(): void {}

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    this.bytes += chunk.length
    if (this.chunks) this.chunks.push(chunk)
  }

  onResponseEnd(): void {
    if (this.finished) return
    this.finished = true
    this.done(this, null)
  }

  onResponseError(_c: Dispatcher.DispatchController, error: Error): void {
    if (this.finished) return
    this.finished = true
    this.done(this, error)
  }
}

export interface RequestSpec {
  path: string
  method: Dispatcher.HttpMethod
  headers: Record<string, string>
  body?: Buffer
  headersTimeout: number
  bodyTimeout: number
}

/** The dispatch options of the plan's one request, built once and reused for every send. */
export function requestSpec(plan: Plan): RequestSpec {
  const timeoutMs = Math.round(plan.config.timeoutSec * 1000)
  return {
    path: plan.path,
    method: plan.method as Dispatcher.HttpMethod,
    headers: plan.headers,
    ...(plan.body ? { body: plan.body } : {}),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs
  }
}

/** Client options shared by closed-loop users and the open-loop pool. */
export function clientOptions(plan: Plan): { headersTimeout: number; bodyTimeout: number; connectTimeout: number; pipelining: number } {
  const timeoutMs = Math.round(plan.config.timeoutSec * 1000)
  return { headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connectTimeout: Math.min(timeoutMs, 10_000), pipelining: 1 }
}
