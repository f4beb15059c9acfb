// One test as a page follows it: its chart points (all, and those not yet sent), and from each tick's
// snapshot Locust's rows, the failures, exceptions and streams, or from a child's progress lines the points
// alone. Shared by the load, bench and status pages.
import type { LoadProgress } from '../bench/index.js'
import type { HistoryPoint, LoadResult, LoadTick } from '../load/index.js'
import { chartPoint, statsRows, streamTotals, type Counts } from './live.js'
import type { ChartPoint, StatsRow, StreamTotals } from './messages.js'

export class LiveRun {
  readonly history: HistoryPoint[] = []
  private readonly points: ChartPoint[] = []
  private unsent: ChartPoint[] = []
  private counts: Counts = new Map()
  private lastFailures = 0
  /** The run so far (null before its first tick, and once it ended). */
  live: LoadResult | null = null
  stats: StatsRow[] = []
  streams: StreamTotals | null = null

  add(point: ChartPoint): void {
    this.points.push(point)
    this.unsent.push(point)
  }

  /** One progress line of a load in its own process (`--progress jsonl`): a point, no tables. */
  progress(p: LoadProgress): void {
    this.add({
      t: p.t, users: p.users, inFlight: 0, rps: p.rps, failuresPerSec: Math.max(0, p.failures - this.lastFailures),
      p50: p.p50, p95: p.p95, p99: null, cpuPercent: null,
      ...(p.ttftP50 !== undefined ? { ttftP50: p.ttftP50, ttftP95: null, tokensPerSec: p.tokensPerSec ?? 0 } : {})
    })
    this.lastFailures = p.failures
  }

  tick(tick: LoadTick): void {
    const prevT = this.history.at(-1)?.t
    this.history.push(tick.point)
    this.add(chartPoint(tick.point))
    if (tick.live) {
      const { rows, counts } = statsRows(tick.live, this.counts, prevT === undefined ? 1 : tick.point.t - prevT)
      this.live = tick.live
      this.stats = rows
      this.counts = counts
      this.streams = streamTotals(tick.live)
    }
  }

  /** The run ended: the tables show its final figures. */
  end(result: LoadResult): void {
    this.live = null
    this.stats = statsRows(result, new Map(), 0).rows.map((r) => ({ ...r, currentRps: 0, currentFailuresPerSec: 0 }))
    this.streams = streamTotals(result)
  }

  /** Every point (a page that just connected), or those since the last call. */
  take(full: boolean): ChartPoint[] {
    if (full) return this.points
    const fresh = this.unsent
    this.unsent = []
    return fresh
  }
}
