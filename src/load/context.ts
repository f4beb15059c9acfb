// State shared by the runner and its driver (closed users, open-loop arrivals or scenario users).
import type { Plan } from './options.js'
import type { Recorder } from './recorder.js'
import { httpFailure, streamCutFailure, streamFailure, transportFailure, type Failure } from './failure.js'
import type { EndpointTotals } from './stats.js'
import { requestSpecs, type MeasuredRequest, type RequestSpec } from './measured-request.js'
import { StreamReader } from './stream-reader.js'

export interface Driver {
  /** Starts sending (users spawn from now on, or arrivals begin). */
  start(): void
  /** No new requests from now on; waiting users stop waiting. */
  stop(): void
  /** Users currently running (closed loop) or requests in flight (open loop). */
  users(): number
  /** Destroys every connection; requests still in flight are abandoned. */
  close(): Promise<void>
}

export class RunContext {
  inFlight = 0
  stopped = false
  /** Set while connections are destroyed: the errors that causes are ours, not the server's. */
  closing = false

  /** The request every send makes, or with --openai one per prompt, cycled. */
  private readonly specs: RequestSpec[]
  private specIndex = 0

  constructor(readonly plan: Plan, readonly recorder: Recorder) {
    this.specs = requestSpecs(plan)
  }

  /** The dispatch options of the next request. */
  nextSpec(): RequestSpec {
    const specs = this.specs
    return specs.length === 1 ? specs[0]! : specs[this.specIndex++ % specs.length]!
  }

  /** A stream reader for one MeasuredRequest (null with --stream none: bytes are only counted). */
  streamReader(keepText = false): StreamReader | null {
    return this.plan.stream === 'none' ? null : new StreamReader(this.plan.stream, this.recorder.llm, keepText)
  }

  /**
   * Records one finished exchange; returns its failure (if any) so the caller can back off on
   * refused connections. Errors caused by our own shutdown are not recorded.
   */
  finish(ep: EndpointTotals, ex: MeasuredRequest, error: Error | null, url: string): Failure | undefined | null {
    this.inFlight--
    if (error && this.closing) return null
    const latencyUs = (performance.now() - ex.startedAt) * 1000
    // A 2xx response read as a stream (stream-reader.ts): it succeeds only with content and no error event.
    const stream = ex.stream?.measuring ? ex.stream : null
    const timeoutSec = this.plan.config.timeoutSec
    let failure: Failure | undefined
    if (error) failure = stream ? streamCutFailure(error, timeoutSec) : transportFailure(error, timeoutSec)
    else if (ex.status >= 400) failure = httpFailure(ex.status, url)
    else if (stream) {
      const why = stream.failure()
      if (why !== null) failure = streamFailure(why)
    }
    this.recorder.record(ep, latencyUs, error && !stream ? 0 : ex.status, ex.bytes, failure)
    if (ex.headersAt > 0) this.recorder.llm.firstByte(ex.headersAt - ex.startedAt)
    if (stream) this.recorder.llm.finish(stream, failure === undefined)
    return failure
  }
}
