// Per-worker admission control: at most `maxConcurrency` runs in flight and `queue` runs waiting, first in
// first out. Beyond both, a request is refused at once (503) instead of waiting unboundedly: the study's
// sync server queued requests for tens of seconds and then dropped connections; a fast, explicit refusal
// with Retry-After is what lets clients and load balancers back off.
import { OverloadError } from '../errors.js'

interface Waiter {
  resolve: () => void
  reject: (err: unknown) => void
  signal: AbortSignal | undefined
  onAbort: (() => void) | undefined
}

export interface AdmissionLimits {
  /** Runs in flight at once; 0 means unlimited. */
  maxConcurrency: number
  /** Runs waiting for a slot; 0 means none wait. */
  queue: number
}

export class Admission {
  readonly maxConcurrency: number
  readonly maxQueue: number
  inFlight = 0
  rejected = 0
  // A Set keeps insertion order (FIFO) and deletes in O(1) when a waiter gives up.
  private readonly waiters = new Set<Waiter>()

  // One shared instance: refusals come in bursts under overload, and a stack per refusal is waste.
  readonly overloadError: OverloadError

  constructor(limits: AdmissionLimits) {
    this.maxConcurrency = limits.maxConcurrency
    this.maxQueue = limits.queue
    this.overloadError = new OverloadError(
      `server is at capacity: ${limits.maxConcurrency} runs in progress and ${limits.queue} waiting ` +
        `(--max-concurrency ${limits.maxConcurrency}, --queue ${limits.queue}); retry later`
    )
  }

  get queued(): number {
    return this.waiters.size
  }

  /** Takes a slot now if one is free. The hot path: no allocation. */
  tryAcquire(): boolean {
    if (this.maxConcurrency === 0 || this.inFlight < this.maxConcurrency) {
      this.inFlight++
      return true
    }
    return false
  }

  /** True when the queue has room for one more waiter. */
  canWait(): boolean {
    return this.waiters.size < this.maxQueue
  }

  /** Counts a refused request (the caller answers 503 with `overloadError`). */
  refuse(): OverloadError {
    this.rejected++
    return this.overloadError
  }

  /**
   * Waits in the queue for a slot (call after tryAcquire failed and canWait said yes). Rejects with the
   * signal's reason when it aborts while waiting: the wait counts against the request's timeout.
   */
  wait(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason)
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined }
      if (signal) {
        waiter.onAbort = () => {
          this.waiters.delete(waiter)
          reject(signal.reason)
        }
        signal.addEventListener('abort', waiter.onAbort, { once: true })
      }
      this.waiters.add(waiter)
    })
  }

  /** Gives a slot back; the oldest waiter, if any, gets it. */
  release(): void {
    for (const waiter of this.waiters) {
      this.waiters.delete(waiter)
      if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort)
      // The slot passes straight to the waiter: inFlight stays the same.
      waiter.resolve()
      return
    }
    this.inFlight--
  }

  /** Refuses every waiter (shutdown). */
  rejectAll(err: unknown): void {
    for (const waiter of this.waiters) {
      if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort)
      waiter.reject(err)
    }
    this.waiters.clear()
  }
}
