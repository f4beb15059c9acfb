// Changing a running load from outside (the web UI's Edit, Locust's "edit running test"): users and
// spawn rate of the closed loop and scenarios, or the open loop's rate. The runner attaches the driver
// when the run starts; every accepted change is kept as a RunEvent, written into the result.
import { UsageError } from '../errors.js'
import { parseCount, parseRate } from './parse.js'
import type { HistoryPoint, RunEvent } from './result.js'

export type LoadChange = { users: number; spawnRate: number } | { rate: number }

/** What a running driver does with a change (already checked against the run's mode). */
export type ApplyChange = (change: LoadChange) => void

export class LoadControl {
  readonly events: RunEvent[] = []
  private mode: 'closed' | 'open' | null = null
  private apply: ApplyChange | null = null

  /** The runner's side: from now on changes reach `apply` (null: the run is over, changes are refused). */
  attach(mode: 'closed' | 'open', apply: ApplyChange | null): void {
    this.mode = mode
    this.apply = apply
  }

  /**
   * Checks and applies a change, and records it. Values come from a form: `users`/`spawnRate` for a
   * closed loop, `rate` for an open one; every bad value is a UsageError naming its field.
   */
  change(values: { users?: unknown; spawnRate?: unknown; rate?: unknown }, by = 'ui'): RunEvent {
    if (!this.apply || !this.mode) throw new UsageError('no run is in progress: start one first')
    let change: LoadChange
    if (this.mode === 'open') {
      if (values.rate === undefined) throw new UsageError('this run is an open loop (--rate): change its rate, not its users', { field: 'rate' })
      change = { rate: parseRate(values.rate as number | string, 'rate') }
    } else {
      if (values.users === undefined) throw new UsageError('this run is a closed loop: change its users (and spawn rate), not a rate', { field: 'users' })
      const users = parseCount(values.users as number | string, 'users', 0)
      change = { users, spawnRate: parseRate((values.spawnRate ?? Math.max(1, users)) as number | string, 'spawn rate') }
    }
    return this.applyChange(change, by)!
  }

  /** Applies a change already checked (a generator process's share); null when no run is attached. */
  applyChange(change: LoadChange, by: string): RunEvent | null {
    if (!this.apply) return null
    this.apply(change)
    const event: RunEvent = 'rate' in change
      ? { at: Date.now(), kind: 'rate', rate: change.rate, by }
      : { at: Date.now(), kind: 'users', users: change.users, spawnRate: change.spawnRate, by }
    this.events.push(event)
    return event
  }
}

/** One line naming what changed, for tables, chart marks and the history. */
export function eventText(e: RunEvent): string {
  return e.kind === 'rate' ? `rate set to ${e.rate}/s by ${e.by}` : `users set to ${e.users} at ${e.spawnRate}/s by ${e.by}`
}

/** Notes each event on the history second whose window it fell in (after the run, off the hot path). */
export function markHistory(history: HistoryPoint[], events: readonly RunEvent[]): void {
  for (const e of events) {
    const point = history.find((p) => p.t * 1000 >= e.at)
    if (point) (point.events ??= []).push(eventText(e))
  }
}
