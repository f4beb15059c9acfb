// Seeded randomness shared by the mock (delays, faults) and the load generator (arrivals): mulberry32
// (Tommy Ettinger's 32-bit generator, period 2^32). Small, fast and good enough for delays, fault draws
// and arrival gaps; the point is that one seed gives one sequence.

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

/** Standard normal by Box-Muller; draws two uniforms per value so the stream position stays simple. */
export function gaussian(random: Random): number {
  const u = 1 - random() // (0, 1]: log(0) is not a number
  const v = random()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}
