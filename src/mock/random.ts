// Seeded randomness for the mock: mulberry32 (src/random.ts) seeded per worker, and the delay samplers.
import { gaussian, mulberry32, type Random } from '../random.js'
import type { LatencyKind } from './options.js'

export { mulberry32, type Random }

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

function clip(x: number, min: number, max: number): number {
  return x < min ? min : x > max ? max : x
}
