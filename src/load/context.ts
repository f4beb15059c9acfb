// State shared by the runner and its driver (closed users, open-loop arrivals or scenario users).
import type { Plan } from './options.js'
import type { Recorder } from './recorder.js'
import { httpFailure, transportFailure, type Failure } from './failure.js'
import type { EndpointTotals } from './stats.js'

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

  constructor(readonly plan: Plan, readonly recorder: Recorder) {}

  /**
   * Records one finished exchange; returns its failure (if any) so the caller can back off on
   * refused connections. Errors caused by our own shutdown are not recorded.
   */
  finish(ep: EndpointTotals, startedAt: number, status: number, bytes: number, error: Error | null, url: string): Failure | undefined | null {
    this.inFlight--
    if (error && this.closing) return null
    const latencyUs = (performance.now() - startedAt) * 1000
    let failure: Failure | undefined
    if (error) failure = transportFailure(error, this.plan.config.timeoutSec)
    else if (status >= 400) failure = httpFailure(status, url)
    this.recorder.record(ep, latencyUs, error ? 0 : status, bytes, failure)
    return failure
  }
}
