// When the open loop's requests are due: at a constant (or linearly ramping) rate, or as a random process
// with gamma-distributed gaps, vLLM's `--burstiness` (shape B, scale 1 / (rate x B): mean gap 1 / rate,
// variance 1 / (rate^2 x B); B = 1 is a Poisson process, below 1 burstier, above 1 more regular).
// Times are seconds from one start time t0: the driver schedules each arrival at t0 + time, so timer
// lateness never accumulates into the schedule.
import { gaussian, mulberry32, type Random } from '../random.js'

export type ArrivalKind = 'constant' | 'poisson'

export interface ArrivalSpec {
  kind: ArrivalKind
  /** Gamma shape of the gaps (poisson only); 1 = exponential gaps. */
  burstiness: number
  /** Seed of the gap sequence (poisson only): one seed, one sequence. */
  seed: number
}

/** Arrivals expected by `t` seconds: the integral of a rate ramping linearly from r0 to r1 over `span`. */
export function arrivalsBy(t: number, r0: number, r1: number, span: number): number {
  const tt = Math.min(t, span)
  return r0 * tt + ((r1 - r0) * tt * tt) / (2 * span) + (t > span ? r1 * (t - span) : 0)
}

/** The time (seconds) of the n-th arrival (n from 0): the inverse of arrivalsBy. */
export function arrivalTime(n: number, r0: number, r1: number, span: number): number {
  if (r0 === r1) return n / r0
  const a = (r1 - r0) / (2 * span)
  const t = (-r0 + Math.sqrt(r0 * r0 + 4 * a * n)) / (2 * a)
  if (t <= span) return t
  return span + (n - arrivalsBy(span, r0, r1, span)) / r1
}

/** Successive arrival times in seconds from t0; null once the next would fall at or after the run's end. */
export interface Schedule {
  next(): number | null
}

/** n / rate (or the ramp's inverse), for n = 0, 1, ...: today's open loop. */
class ConstantSchedule implements Schedule {
  private n = 0
  private readonly total: number

  constructor(private readonly r0: number, private readonly r1: number, private readonly span: number) {
    this.total = Math.ceil(arrivalsBy(span, r0, r1, span) - 1e-9)
  }

  next(): number | null {
    return this.n < this.total ? arrivalTime(this.n++, this.r0, this.r1, this.span) : null
  }
}

/**
 * Gaps of mean 1 in "arrivals" (the integral of the rate), mapped to time through the ramp's inverse:
 * at a fixed rate r a gap is gamma(B, 1 / (r B)); on a ramp the process follows the rate as it changes.
 */
class RandomSchedule implements Schedule {
  private position = 0

  constructor(private readonly r0: number, private readonly r1: number, private readonly span: number, private readonly gap: () => number) {}

  next(): number | null {
    this.position += this.gap()
    const t = arrivalTime(this.position, this.r0, this.r1, this.span)
    return t < this.span ? t : null
  }
}

export function arrivalSchedule(spec: ArrivalSpec, r0: number, r1: number, span: number): Schedule {
  if (spec.kind === 'constant') return new ConstantSchedule(r0, r1, span)
  return new RandomSchedule(r0, r1, span, gammaGaps(spec.burstiness, mulberry32(spec.seed)))
}

/** Gamma(shape, scale 1 / shape) draws: mean 1, variance 1 / shape. Shape 1 is the exponential. */
export function gammaGaps(shape: number, random: Random): () => number {
  if (shape === 1) return () => -Math.log(1 - random())
  const draw = gammaDraw(shape, random)
  return () => draw() / shape
}

/**
 * Gamma(shape, 1) by Marsaglia and Tsang's method (2000); below shape 1, Gamma(shape + 1) x U^(1/shape)
 * (their note for small shapes).
 */
function gammaDraw(shape: number, random: Random): () => number {
  if (shape < 1) {
    const boosted = gammaDraw(shape + 1, random)
    return () => boosted() * Math.pow(1 - random(), 1 / shape)
  }
  const d = shape - 1 / 3
  const c = 1 / Math.sqrt(9 * d)
  return () => {
    for (;;) {
      const x = gaussian(random)
      let v = 1 + c * x
      if (v <= 0) continue
      v = v * v * v
      const u = 1 - random()
      if (u < 1 - 0.0331 * x * x * x * x) return d * v
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v
    }
  }
}
