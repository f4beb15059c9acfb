// Starts users at a steady rate. Locust spawns in one-second steps (spawn_rate users at once, then a
// pause); here user i starts at i / rate seconds, so the ramp is smooth and the server sees no bursts.
import type { Driver } from './context.js'
import type { LoadChange } from './control.js'

/**
 * Users started in one turn of the event loop at most. Starting one (its connection) costs the
 * generator 100-200 us, and a spawner that fell behind caught up in one loop: 10,000 users "all at
 * once" held the loop for 1.3 s, while answers already received waited to be timed (p50 1,627 ms
 * against a server answering in 1,000). The rest of a batch follows after the loop's I/O.
 */
export const MAX_STARTS_PER_TURN = 64

export class Spawner {
  private timer: NodeJS.Timeout | undefined
  private started = 0
  private t0 = 0

  constructor(private readonly total: number, private readonly perSecond: number, private readonly startOne: (index: number) => void) {}

  start(): void {
    this.t0 = performance.now()
    this.step()
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
  }

  get count(): number {
    return this.started
  }

  private step(): void {
    const due = Math.min(this.total, Math.floor(((performance.now() - this.t0) / 1000) * this.perSecond) + 1)
    const until = Math.min(due, this.started + MAX_STARTS_PER_TURN)
    while (this.started < until) this.startOne(this.started++)
    if (this.started >= this.total) {
      this.timer = undefined
      return
    }
    const nextAt = this.t0 + (this.started / this.perSecond) * 1000
    this.timer = setTimeout(() => this.step(), this.started < due ? 0 : Math.max(1, nextAt - performance.now()))
  }
}

export interface SpawnedUser {
  start(): void
  stop(): void
  /** Leaves the run (users lowered mid-run): no new request; its request in flight still finishes and counts. */
  retire(): void
  close(): Promise<void>
}

/** A Driver made of users started by a Spawner: the closed loop and scenario users share it. */
export class UserDriver implements Driver {
  private readonly list: SpawnedUser[] = []
  private readonly retired: SpawnedUser[] = []
  private spawner: Spawner
  private made = 0

  constructor(total: number, perSecond: number, private readonly make: (index: number) => SpawnedUser) {
    this.spawner = new Spawner(total, perSecond, () => this.spawnOne())
  }

  start(): void {
    this.spawner.start()
  }

  /**
   * Moves to `users` at `perSecond` from the count running now, as Locust's edit does: more users are
   * started at that rate, surplus ones retired at it (the newest first).
   */
  change(change: LoadChange): void {
    if (!('users' in change)) return
    const { users, spawnRate: perSecond } = change
    this.spawner.stop()
    const diff = users - this.list.length
    this.spawner = new Spawner(Math.abs(diff), perSecond, diff > 0 ? () => this.spawnOne() : () => this.retireOne())
    if (diff !== 0) this.spawner.start()
  }

  stop(): void {
    this.spawner.stop()
    for (const u of this.list) u.stop()
  }

  users(): number {
    return this.list.length
  }

  async close(): Promise<void> {
    await Promise.all([...this.list, ...this.retired].map((u) => u.close()))
  }

  private spawnOne(): void {
    const user = this.make(this.made++)
    this.list.push(user)
    user.start()
  }

  private retireOne(): void {
    const user = this.list.pop()
    if (!user) return
    user.retire()
    this.retired.push(user)
  }
}
