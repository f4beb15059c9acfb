// One request/response on an undici dispatcher, through its low-level handler API: no Response
// object, no body stream; body bytes are counted (and kept only when a scenario asks for them), and
// handed to a stream reader when the response is read as a stream (stream-reader.ts), stamped with
// their arrival time. One MeasuredRequest is reused for every request of a closed-loop user.
import type { Dispatcher } from 'undici'
import type { IncomingHttpHeaders } from 'node:http'
import type { Plan } from './options.js'
import type { StreamReader } from './stream-reader.js'
import { chatSpecs } from './openai.js'

export type MeasuredRequestDone = (ex: MeasuredRequest, error: Error | null) => void

export class MeasuredRequest implements Dispatcher.DispatchHandler {
  status = 0
  bytes = 0
  /** performance.now() the latency counts from: send time (closed loop) or intended send time (open loop). */
  startedAt = 0
  /** performance.now() when the response headers arrived (time to first byte); 0 before. */
  headersAt = 0
  chunks: Buffer[] | null = null
  private finished = false

  constructor(private readonly done: MeasuredRequestDone, keepBody = false, readonly stream: StreamReader | null = null) {
    if (keepBody) this.chunks = []
  }

  reset(startedAt: number): void {
    this.status = 0
    this.bytes = 0
    this.headersAt = 0
    this.startedAt = startedAt
    this.finished = false
    this.stream?.reset()
    if (this.chunks) this.chunks = []
  }

  onRequestStart(): void {}

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    this.status = statusCode
    this.headersAt = performance.now()
    if (this.stream) {
      const type = headers['content-type']
      this.stream.begin(this.startedAt, statusCode, typeof type === 'string' ? type : '')
    }
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    this.bytes += chunk.length
    if (this.chunks) this.chunks.push(chunk)
    if (this.stream?.measuring) this.stream.feed(chunk, performance.now())
  }

  onResponseEnd(): void {
    if (this.finished) return
    this.finished = true
    if (this.stream?.measuring) this.stream.end(performance.now())
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

/** The plan's request, or with --openai one per prompt (each process starting at its own offset). */
export function requestSpecs(plan: Plan): RequestSpec[] {
  const spec = requestSpec(plan)
  return plan.prompts && plan.openai ? chatSpecs(spec, plan.prompts, plan.openai, plan.idOffset) : [spec]
}

/** Client options shared by closed-loop users and the open-loop pool. */
export function clientOptions(plan: Plan): { headersTimeout: number; bodyTimeout: number; connectTimeout: number; pipelining: number } {
  const timeoutMs = Math.round(plan.config.timeoutSec * 1000)
  return { headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connectTimeout: Math.min(timeoutMs, 10_000), pipelining: 1 }
}
