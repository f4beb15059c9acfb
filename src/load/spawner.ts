// Starts users at a steady rate. Locust spawns in one-second steps (spawn_rate users at once, then a
// pause); here user i starts at i / rate seconds, so the ramp is smooth and the server sees no bursts.
import type { Driver } from './context.js'

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
    while (this.started < due) this.startOne(this.started++)
    if (this.started >= this.total) {
      this.timer = undefined
      return
    }
    const nextAt = this.t0 + (this.started / this.perSecond) * 1000
    this.timer = setTimeout(() => this.step(), Math.max(1, nextAt - performance.now()))
  }
}

export interface SpawnedUser {
  start(): void
  stop(): void
  close(): Promise<void>
}

/** A Driver made of users started by a Spawner: the closed loop and scenario users share it. */
export class UserDriver implements Driver {
  private readonly list: SpawnedUser[] = []
  private readonly spawner: Spawner

  constructor(total: number, perSecond: number, make: (index: number) => SpawnedUser) {
    this.spawner = new Spawner(total, perSecond, (i) => {
      const user = make(i)
      this.list.push(user)
      user.start()
    })
  }

  start(): void {
    this.spawner.start()
  }

  stop(): void {
    this.spawner.stop()
    for (const u of this.list) u.stop()
  }

  users(): number {
    return this.list.length
  }

  async close(): Promise<void> {
    await Promise.all(this.list.map((u) => u.close()))
  }
}
