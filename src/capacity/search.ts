// The capacity search: which load is the highest that meets every SLO? Pure logic over a step runner
// (a real one runs `floodgate load`; the tests give a simulated server), so no clock or I/O lives here.
//
// It brackets the boundary between a passing and a failing load, then narrows the bracket by
// interpolating the SLO margin (regula falsi) with a bisection fallback, until the bracket is within the
// tolerance; the highest passing load is then run once more and counts only if it passes again. Every
// step stays below the lowest load that failed, so no step overloads the server further than one that
// already failed. Growing and descending use the caller's aim (the closed-loop law on the measured
// throughput) when it has one. Method and reasons: README, `floodgate capacity` (steps 3 and 4).

export type Unit = 'users' | 'rps'

export type StepPurpose = 'probe' | 'grow' | 'descend' | 'interpolate' | 'bisect' | 'confirm'

export type StopReason = 'converged' | 'upper-bound' | 'lowest-failed' | 'budget' | 'interrupted'

/** What the search needs to know of a finished step. */
export interface StepVerdict {
  /** Every SLO held over the step's steady part. */
  passed: boolean
  /**
   * How far the worst SLO was past its bound, relative to the bound: -0.2 is 20% inside, 1.0 twice the
   * bound; Infinity when nothing could be measured.
   */
  margin: number
  /** False when the step was cut short (Ctrl-C): it decides nothing. */
  complete: boolean
  /** Successful requests/s over the steady part (for the caller's aim). */
  achievedRps?: number
}

export interface StepRunner {
  run(load: number, purpose: StepPurpose): Promise<StepVerdict>
  /** Seconds since the search (the whole command) began: the budget counts from there. */
  elapsedSec(): number
}

export interface SearchSettings {
  unit: Unit
  /** The lowest load there is (1 user, or the lowest rate): when it fails, no capacity exists. */
  lowest: number
  /** --max-users / --max-rate: the search never goes above. */
  highest: number
  /** The first step's load: the predicted boundary. */
  first: number
  budgetSec: number
  /** Expected length of one step, seconds (start-up and drain included); measured steps refine it. */
  stepSec: number
  /** The bracket is narrow enough when (failing - passing) / passing <= tolerance (default 0.05). */
  tolerance?: number
  /**
   * Where the closed-loop law puts the boundary after a step at `load` (null: no estimate). Used to
   * grow after a pass and descend after a failure, within bounds the search sets.
   */
  aim?: (load: number, verdict: StepVerdict) => number | null
  signal?: AbortSignal
}

export interface SearchStep {
  load: number
  purpose: StepPurpose
  verdict: StepVerdict
}

export interface SearchOutcome {
  /** Highest load whose every run passed, below the lowest failing one; null when none passed. */
  capacity: number | null
  /** The capacity is the upper bound and it passed: the true capacity is at least this. */
  atLeast: boolean
  /** The capacity passed twice (it was confirmed by a repeated step). */
  confirmed: boolean
  /** Lowest load that failed a run (above the capacity); null when none failed. */
  firstFailing: number | null
  stopReason: StopReason
  steps: SearchStep[]
}

export const DEFAULT_TOLERANCE = 0.05
/** A step whose worst SLO is 50% or more past its bound failed by a wide margin. */
export const WIDE_MARGIN = 0.5
/** The most a step grows or descends from the last, and the least. */
const GROW = 2
const DESCEND_WIDE = 4
const MIN_MOVE = 1.1

/** Without an aim: a pass close to the bound grows less (latency rises steeply past a knee). */
function growthFactor(margin: number): number {
  return margin >= -0.1 ? 1.25 : margin >= -0.3 ? 1.5 : GROW
}

/** Without an aim: a failure close to the bound descends less, a wide one by four. */
function descentFactor(margin: number): number {
  return margin >= WIDE_MARGIN ? DESCEND_WIDE : margin >= 0.1 ? 2 : 1.25
}

interface Tally { passes: number; fails: number; lastMargin: number }

export class Search {
  private readonly tolerance: number
  private readonly tallies = new Map<number, Tally>()
  private readonly steps: SearchStep[] = []
  /** Set when the last interpolation shrank the bracket by less than half: bisect next. */
  private slowInterpolation = false
  private readonly durations: number[] = []

  constructor(private readonly runner: StepRunner, private readonly s: SearchSettings) {
    this.tolerance = s.tolerance ?? DEFAULT_TOLERANCE
  }

  /** Rounds a load to the unit's grain: whole users, rates to 3 significant digits. */
  grain(load: number): number {
    if (this.s.unit === 'users') return Math.max(1, Math.round(load))
    const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(load) || 1)))
    const f = 10 ** digits
    return Math.round(load * f) / f
  }

  private clamp(load: number): number {
    return this.grain(Math.min(this.s.highest, Math.max(this.s.lowest, load)))
  }

  /** Lowest load with a failed run. */
  private failing(): number | null {
    let min: number | null = null
    for (const [load, t] of this.tallies) if (t.fails > 0 && (min === null || load < min)) min = load
    return min
  }

  /** Highest load below `below` whose every run passed. */
  private passing(below: number | null): number | null {
    let max: number | null = null
    for (const [load, t] of this.tallies) {
      if (t.fails === 0 && t.passes > 0 && (below === null || load < below) && (max === null || load > max)) max = load
    }
    return max
  }

  private narrow(lo: number, hi: number): boolean {
    if (this.s.unit === 'users' && hi - lo <= 1) return true
    return (hi - lo) / lo <= this.tolerance || this.grain((lo + hi) / 2) <= lo || this.grain((lo + hi) / 2) >= hi
  }

  /**
   * The load to try between a passing `lo` and a failing `hi`: where the aim puts the boundary after the
   * failing step, else where the margin crosses zero on the line between the two; held away from the
   * ends, and a plain bisection after an interpolation that did not halve the bracket.
   */
  private inside(lo: number, hi: number): { load: number; purpose: StepPurpose } {
    const w = hi - lo
    let load = hi / lo > 2 ? Math.sqrt(lo * hi) : (lo + hi) / 2
    let purpose: StepPurpose = 'bisect'
    if (!this.slowInterpolation) {
      const mLo = this.tallies.get(lo)!.lastMargin
      // A step far past its bound would pull the line to `lo`: count at most twice the bound.
      const mHi = Math.min(this.tallies.get(hi)!.lastMargin, 1)
      const aim = this.aimed(hi, this.lastVerdict(hi))
      const root = aim !== null && aim > lo && aim < hi ? aim : Number.isFinite(mLo) && mHi > mLo ? lo + ((0 - mLo) / (mHi - mLo)) * w : null
      if (root !== null) {
        load = Math.min(hi - 0.1 * w, Math.max(lo + 0.1 * w, root))
        purpose = 'interpolate'
      }
    }
    let g = this.grain(load)
    if (g <= lo) g = this.grain(lo + (this.s.unit === 'users' ? 1 : w / 2))
    if (g >= hi) g = this.grain(hi - (this.s.unit === 'users' ? 1 : w / 2))
    return { load: g, purpose }
  }

  private lastVerdict(load: number): StepVerdict {
    return this.steps.filter((s) => s.load === load && s.verdict.complete).at(-1)!.verdict
  }

  private aimed(load: number, verdict: StepVerdict): number | null {
    const a = this.s.aim?.(load, verdict)
    return a !== null && a !== undefined && Number.isFinite(a) && a > 0 ? a : null
  }

  /** The next step, or why the search ends. */
  private next(): { load: number; purpose: StepPurpose } | { stop: StopReason } {
    if (this.steps.length === 0) return { load: this.clamp(this.s.first), purpose: 'probe' }
    const hi = this.failing()
    const lo = this.passing(hi)
    if (lo !== null && (hi === null ? lo >= this.s.highest : this.narrow(lo, hi))) {
      if (this.tallies.get(lo)!.passes < 2) return { load: lo, purpose: 'confirm' }
      return { stop: hi === null ? 'upper-bound' : 'converged' }
    }
    if (lo === null && hi === null) return { load: this.clamp(this.s.first), purpose: 'probe' }
    if (lo === null) {
      // Everything failed so far: go down, to the lowest load at the end.
      if (hi! <= this.s.lowest) return { stop: 'lowest-failed' }
      const verdict = this.lastVerdict(hi!)
      const aim = this.aimed(hi!, verdict)
      const target = aim === null ? hi! / descentFactor(verdict.margin) : Math.min(hi! / MIN_MOVE, Math.max(hi! / DESCEND_WIDE, aim))
      let load = this.clamp(target)
      if (load >= hi!) load = this.clamp(this.s.lowest)
      return { load, purpose: 'descend' }
    }
    if (hi === null) {
      // Everything passed so far: go up, never past the upper bound.
      const verdict = this.lastVerdict(lo)
      const aim = this.aimed(lo, verdict)
      const target = aim === null ? lo * growthFactor(verdict.margin) : Math.max(lo * MIN_MOVE, Math.min(lo * GROW, aim))
      let load = this.clamp(target)
      if (load <= lo) load = this.clamp(lo + 1)
      return { load, purpose: 'grow' }
    }
    return this.inside(lo, hi)
  }

  private record(load: number, purpose: StepPurpose, verdict: StepVerdict, before: [number | null, number | null]): void {
    this.steps.push({ load, purpose, verdict })
    if (!verdict.complete) return
    const t = this.tallies.get(load) ?? { passes: 0, fails: 0, lastMargin: verdict.margin }
    if (verdict.passed) t.passes++
    else t.fails++
    t.lastMargin = verdict.margin
    this.tallies.set(load, t)
    if (purpose === 'interpolate' && before[0] !== null && before[1] !== null) {
      const hi = this.failing()
      const lo = this.passing(hi)
      this.slowInterpolation = lo !== null && hi !== null && hi - lo > (before[1] - before[0]) / 2
    } else if (purpose === 'bisect') {
      this.slowInterpolation = false
    }
  }

  /** The longest step so far, or the planned length before the first. */
  private expectedStepSec(): number {
    return Math.max(this.s.stepSec, ...this.durations)
  }

  async run(): Promise<SearchOutcome> {
    let stopReason: StopReason = 'converged'
    for (;;) {
      if (this.s.signal?.aborted) {
        stopReason = 'interrupted'
        break
      }
      let step = this.next()
      if ('stop' in step) {
        stopReason = step.stop
        break
      }
      // Once a load passed, a step runs only with room left to confirm what it may find: without the
      // repeat, a capacity is one lucky step. Short of that room, the passing load is confirmed instead.
      const hi = this.failing()
      const lo = this.passing(hi)
      const unconfirmed = lo !== null && this.tallies.get(lo)!.passes < 2
      const each = this.expectedStepSec()
      const left = this.s.budgetSec - this.runner.elapsedSec()
      const need = step.purpose !== 'confirm' && lo !== null ? 2 * each : each
      if (left < need) {
        if (unconfirmed && left >= each) step = { load: lo, purpose: 'confirm' }
        else {
          stopReason = 'budget'
          break
        }
      }
      const started = this.runner.elapsedSec()
      const verdict = await this.runner.run(step.load, step.purpose)
      this.durations.push(this.runner.elapsedSec() - started)
      this.record(step.load, step.purpose, verdict, [lo, hi])
      if (!verdict.complete) {
        stopReason = 'interrupted'
        break
      }
    }
    return this.outcome(stopReason)
  }

  private outcome(stopReason: StopReason): SearchOutcome {
    const firstFailing = this.failing()
    const capacity = this.passing(firstFailing)
    const passes = capacity === null ? 0 : this.tallies.get(capacity)!.passes
    return {
      capacity,
      atLeast: capacity !== null && firstFailing === null && capacity >= this.s.highest,
      confirmed: passes >= 2,
      firstFailing,
      stopReason,
      steps: this.steps
    }
  }
}

/** Runs the search to its end (see Search). */
export function searchCapacity(runner: StepRunner, settings: SearchSettings): Promise<SearchOutcome> {
  return new Search(runner, settings).run()
}
