// --rate-limit RPM: a sliding window log of the last `limit` admitted requests (a ring of timestamps).
// A request is admitted when fewer than `limit` were admitted in the last 60 s; rejected ones do not count.
// Exact, O(1) per request, `limit` x 8 bytes of memory.

export class SlidingWindowLimiter {
  private readonly times: Float64Array
  private head = 0
  private count = 0

  constructor(readonly limit: number, readonly windowMs = 60_000) {
    this.times = new Float64Array(limit)
  }

  /** Admits the request (returns 0) or returns the milliseconds until a slot frees. */
  take(nowMs: number): number {
    if (this.count < this.limit) {
      this.times[(this.head + this.count) % this.limit] = nowMs
      this.count++
      return 0
    }
    const oldest = this.times[this.head]
    const wait = oldest + this.windowMs - nowMs
    if (wait > 0) return wait
    this.times[this.head] = nowMs
    this.head = (this.head + 1) % this.limit
    return 0
  }
}
