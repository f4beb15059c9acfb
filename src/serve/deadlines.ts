// The per-request timeout of one server. Every request gets the same timeout, so deadlines expire in the
// order requests arrived: a FIFO list with a single Node timer armed for its head replaces a setTimeout
// and clearTimeout per request (measured: those cost ~6 us of a ~45 us request). Adding and removing
// are O(1) pointer updates on the entry itself; nothing is allocated per request.

/** What the list holds: an object with these fields (a ScoreRun), linked in place. */
export interface DeadlineEntry {
  deadlineAt: number
  deadlinePrev: DeadlineEntry | null
  deadlineNext: DeadlineEntry | null
  /** Linked now (false once removed or expired). */
  deadlineLinked: boolean
  /** Called once when the deadline passes while the entry is still linked. */
  expire(): void
}

export class Deadlines {
  private head: DeadlineEntry | null = null
  private tail: DeadlineEntry | null = null
  private timer: NodeJS.Timeout | null = null
  private readonly onTimer = (): void => this.fire()

  constructor(readonly ms: number) {}

  add(entry: DeadlineEntry): void {
    entry.deadlineAt = performance.now() + this.ms
    entry.deadlinePrev = this.tail
    entry.deadlineNext = null
    entry.deadlineLinked = true
    if (this.tail === null) this.head = entry
    else this.tail.deadlineNext = entry
    this.tail = entry
    if (this.timer === null) this.arm(this.ms)
  }

  /** Unlinks `entry`; the timer stays armed for the old head and re-arms itself when it fires. */
  remove(entry: DeadlineEntry): void {
    if (!entry.deadlineLinked) return
    entry.deadlineLinked = false
    const prev = entry.deadlinePrev
    const next = entry.deadlineNext
    if (prev === null) this.head = next
    else prev.deadlineNext = next
    if (next === null) this.tail = prev
    else next.deadlinePrev = prev
    entry.deadlinePrev = null
    entry.deadlineNext = null
  }

  /** Stops the timer; entries still linked never expire. */
  close(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }

  private arm(ms: number): void {
    // Unref'd: a server that is closing stays alive for its open connections, not for this timer.
    this.timer = setTimeout(this.onTimer, Math.max(1, Math.ceil(ms)))
    this.timer.unref()
  }

  private fire(): void {
    this.timer = null
    const now = performance.now()
    // Node's timer clock is the event loop's cached time, which may lag performance.now() by a few
    // milliseconds: an entry due within half a millisecond counts as due rather than re-arming for it.
    let entry = this.head
    while (entry !== null && entry.deadlineAt <= now + 0.5) {
      this.remove(entry)
      entry.expire()
      entry = this.head
    }
    if (entry !== null) this.arm(entry.deadlineAt - now)
  }
}
