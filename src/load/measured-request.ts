// One request/response on an undici dispatcher, through its low-level handler API: no Response
// object, no body stream; body bytes are counted (and kept only when a scenario asks for them), and
// handed to a stream reader when the response is read as a stream (stream-reader.ts), stamped with
// their arrival time. One MeasuredRequest is reused for every request of a closed-loop user.
import type { Dispatcher } from 'undici'
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

  // undici's own handler interface (the one its Request calls). The controller-style one
  // (onRequestStart, onResponseStart...) would make undici wrap this handler per request in an
  // UnwrapHandler and an UnwrapController and turn the raw headers and trailers into objects
  // (parseHeaders) for every response: three allocations and two header walks per request that a
  // reused MeasuredRequest exists to avoid. Each returns true: never paused.
  onConnect(): void {}

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    return this.onHead(statusCode, this.stream ? contentType(rawHeaders) : '')
  }

  /** The headers, read: undici's onHeaders, and what raw-client.ts calls with the Content-Type it read. */
  onHead(statusCode: number, type: string): boolean {
    this.status = statusCode
    this.headersAt = performance.now()
    if (this.stream) this.stream.begin(this.startedAt, statusCode, type)
    return true
  }

  onData(chunk: Buffer): boolean {
    this.bytes += chunk.length
    if (this.chunks) this.chunks.push(chunk)
    if (this.stream?.measuring) this.stream.feed(chunk, performance.now())
    return true
  }

  onComplete(): void {
    if (this.finished) return
    this.finished = true
    if (this.stream?.measuring) this.stream.end(performance.now())
    this.done(this, null)
  }

  onError(error: Error): void {
    if (this.finished) return
    this.finished = true
    this.done(this, error)
  }
}

/** The Content-Type of raw headers ([name, value, ...]); '' when absent or sent twice (as parseHeaders gives no single string then). */
function contentType(raw: Buffer[]): string {
  let found: string | null = null
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!
    if (name.length !== 12 || name.toString('latin1').toLowerCase() !== 'content-type') continue
    if (found !== null) return ''
    found = raw[i + 1]!.toString('latin1')
  }
  return found ?? ''
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
