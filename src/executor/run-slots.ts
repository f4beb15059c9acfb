// How many runs of a flow with sync tools execute at once (`--threads`, pf serve's meaning: gunicorn's
// request threads). A run takes a slot before its first node and gives it back when it settles; runs
// beyond the slots wait here, first come first served. The pool holds enough threads for every slot's
// parallel sync nodes, so once a run has its slot it never waits for a thread another run holds.

export interface SlotWaiter {
  /** The slot is now this run's: start it. */
  slotGranted(): void
}

export class RunSlots {
  running = 0
  // A Set keeps insertion order (first in, first out) and deletes in O(1) when a waiting run gives up.
  private readonly waiters = new Set<SlotWaiter>()

  constructor(readonly capacity: number) {}

  get waiting(): number {
    return this.waiters.size
  }

  /** True when the slot is taken now; otherwise `waiter` queues and gets slotGranted() in its turn. */
  acquire(waiter: SlotWaiter): boolean {
    if (this.running < this.capacity) {
      this.running++
      return true
    }
    this.waiters.add(waiter)
    return false
  }

  /** Gives a slot back; the longest-waiting run, if any, takes it (and starts) before this returns. */
  release(): void {
    for (const next of this.waiters) {
      this.waiters.delete(next)
      next.slotGranted()
      return
    }
    this.running--
  }

  /** A waiting run that ended before its turn (timeout, abort) leaves the queue. */
  cancel(waiter: SlotWaiter): void {
    this.waiters.delete(waiter)
  }
}
