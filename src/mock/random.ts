// Seeded randomness for the mock: mulberry32 (Tommy Ettinger's 32-bit generator, period 2^32). Small,
// fast and good enough for delays and fault draws; the point is that one seed gives one sequence.
import type { LatencyKind } from './options.js'

export type Random = () => number

/** A generator of floats in [0, 1) from a 32-bit seed. */
export function mulberry32(seed: number): Random {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * The delay stream of one server process: seed + worker index, so each worker of --workers N has its own
 * reproducible sequence. Faults use a second stream (the same seed mixed with a constant) so that turning
 * faults on does not change the delays.
 */
export function delayStream(seed: number, workerIndex: number): Random {
  return mulberry32(seed + workerIndex)
}

export function faultStream(seed: number, workerIndex: number): Random {
  return mulberry32(((seed + workerIndex) ^ 0x9e3779b9) >>> 0)
}

/** 99th percentile of the standard normal: lognormal's sigma is chosen so that p99 lands on max. */
const Z99 = 2.3263478740408408

/**
 * Returns a sampler of delays in seconds:
 * - fixed: always (min + max) / 2.
 * - uniform: uniform on [min, max] (the study's).
 * - normal: mean (min + max) / 2, standard deviation (max - min) / 6, clipped to [min, max].
 * - lognormal: median (min + max) / 2, log-sigma such that the 99th percentile is max; clipped below at
 *   min only, so about 1% of delays exceed max, like a real latency tail.
 */
export function delaySampler(kind: LatencyKind, min: number, max: number, random: Random): () => number {
  const mid = (min + max) / 2
  switch (kind) {
    case 'fixed':
      return () => mid
    case 'uniform': {
      const span = max - min
      return () => min + random() * span
    }
    case 'normal': {
      const sd = (max - min) / 6
      return () => clip(mid + sd * gaussian(random), min, max)
    }
    case 'lognormal': {
      if (mid <= 0) return () => 0
      const mu = Math.log(mid)
      const sigma = Math.log(max / mid) / Z99
      return () => Math.max(min, Math.exp(mu + sigma * gaussian(random)))
    }
  }
}

/** Standard normal by Box-Muller; draws two uniforms per value so the stream position stays simple. */
function gaussian(random: Random): number {
  const u = 1 - random() // (0, 1]: log(0) is not a number
  const v = random()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}

function clip(x: number, min: number, max: number): number {
  return x < min ? min : x > max ? max : x
}
