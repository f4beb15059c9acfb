// Random arrivals of the open loop: gamma gaps (vLLM's --burstiness; 1 = Poisson) with the mean and
// variance their definition gives, reproducible from a seed, following a ramp; then one run against a
// loopback server and the bad values named.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { arrivalSchedule, arrivalsBy, gammaGaps, type Schedule } from '../../src/load/arrival-schedule.js'
import { mulberry32 } from '../../src/random.js'
import { runLoad } from '../../src/load/index.js'
import { startServer } from './helpers/server.js'

function times(schedule: Schedule): number[] {
  const out: number[] = []
  for (let t = schedule.next(); t !== null; t = schedule.next()) out.push(t)
  return out
}

function gapsOf(ts: number[]): number[] {
  return ts.map((t, i) => t - (i === 0 ? 0 : ts[i - 1]!))
}

function meanVar(xs: number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length
  return { mean, variance: xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length }
}

const near = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance * expected, `${what}: ${actual}, expected ${expected} +- ${tolerance * 100}%`)

test('gaps at rate r and burstiness B: mean 1/r, variance 1/(r^2 B); B = 1 is Poisson (exponential gaps)', () => {
  const rate = 50
  // [burstiness, tolerance on the variance]: 40,000 draws put the sample variance within a few percent.
  for (const [b, tol] of [[1, 0.05], [0.25, 0.08], [0.5, 0.06], [4, 0.05]] as const) {
    const gaps = gapsOf(times(arrivalSchedule({ kind: 'poisson', burstiness: b, seed: 7 }, rate, rate, 800)))
    const { mean, variance } = meanVar(gaps)
    near(gaps.length, rate * 800, 0.02, `B=${b}: arrivals in 800 s`)
    near(mean, 1 / rate, 0.02, `B=${b}: mean gap`)
    near(variance, 1 / (rate * rate * b), tol, `B=${b}: gap variance`)
  }
  // The constant schedule has no variance at all.
  const constant = gapsOf(times(arrivalSchedule({ kind: 'constant', burstiness: 1, seed: 7 }, rate, rate, 10))).slice(1)
  assert.equal(meanVar(constant).variance < 1e-15, true)
})

test('gamma draws for shapes below and above 1 keep mean 1 and variance 1/shape', () => {
  for (const shape of [0.1, 0.7, 1, 2.5, 10]) {
    const draw = gammaGaps(shape, mulberry32(3))
    const xs = Array.from({ length: 60_000 }, draw)
    assert.ok(xs.every((x) => x >= 0 && Number.isFinite(x)))
    const { mean, variance } = meanVar(xs)
    near(mean, 1, 0.03, `shape ${shape}: mean`)
    near(variance, 1 / shape, 0.08, `shape ${shape}: variance`)
  }
})

test('constant arrivals: rate x span of them, the first at 0 and none at the end of the span', () => {
  const constant = (r0: number, r1: number, span: number) => times(arrivalSchedule({ kind: 'constant', burstiness: 1, seed: 1 }, r0, r1, span))
  assert.deepEqual(constant(10, 10, 1).map((t) => Math.round(t * 1000)), [0, 100, 200, 300, 400, 500, 600, 700, 800, 900])
  // 2.5 arrivals due: the third falls at 0.8 s, inside the span.
  assert.deepEqual(constant(2.5, 2.5, 1), [0, 0.4, 0.8])
  // A ramp from 10 to 30/s over 1 s is due 20 arrivals; the last at the time the 19th is due.
  const ramp = constant(10, 30, 1)
  assert.equal(ramp.length, 20)
  assert.ok(ramp[19]! < 1, `last ${ramp[19]}`)
})

test('burstiness 1: each gap is -ln(1 - u) of the seeded draw over the rate, the exponential by inversion', () => {
  const draws = mulberry32(21)
  const expected = Array.from({ length: 5 }, () => -Math.log(1 - draws()))
  const gaps = gapsOf(times(arrivalSchedule({ kind: 'poisson', burstiness: 1, seed: 21 }, 1, 1, 1000))).slice(0, 5)
  for (let i = 0; i < 5; i++) assert.ok(Math.abs(gaps[i]! - expected[i]!) < 1e-9, `gap ${i}: ${gaps[i]}, expected ${expected[i]}`)
})

// Marsaglia and Tsang accept a draw at once inside a squeeze (u < 1 - 0.0331 x^4) and otherwise by the exact
// test; a squeeze that reaches past the exact region shifts the distribution by 1-10% near shape 1 (the
// shapes burstiness below 1 draws from). 400,000 seeded draws hold the mean to 0.3% and the variance
// and skewness to a few percent (3 standard errors), deterministically.
test('gamma draws near shape 1: mean, variance and skewness (2 / sqrt(shape)) of the gamma, to the sampling error', () => {
  for (const shape of [1.1, 1.5, 2.5]) {
    const draw = gammaGaps(shape, mulberry32(17))
    const xs = Array.from({ length: 400_000 }, draw)
    const { mean, variance } = meanVar(xs)
    const skew = xs.reduce((a, x) => a + (x - mean) ** 3, 0) / xs.length / variance ** 1.5
    near(mean, 1, 0.003, `shape ${shape}: mean`)
    near(variance, 1 / shape, 0.015, `shape ${shape}: variance`)
    near(skew, 2 / Math.sqrt(shape), 0.03, `shape ${shape}: skewness`)
  }
})

test('one seed, one sequence; another seed, another', () => {
  const spec = { kind: 'poisson' as const, burstiness: 0.5, seed: 11 }
  assert.deepEqual(times(arrivalSchedule(spec, 20, 20, 5)), times(arrivalSchedule(spec, 20, 20, 5)))
  assert.notDeepEqual(times(arrivalSchedule(spec, 20, 20, 5)), times(arrivalSchedule({ ...spec, seed: 12 }, 20, 20, 5)))
})

test('random arrivals follow a ramp: as many in each part of the run as the rate gives there', () => {
  const ts = times(arrivalSchedule({ kind: 'poisson', burstiness: 1, seed: 5 }, 10, 190, 100))
  assert.ok(ts.every((t) => t >= 0 && t < 100))
  for (const [from, to] of [[0, 20], [40, 60], [80, 100]]) {
    const expected = arrivalsBy(to, 10, 190, 100) - arrivalsBy(from, 10, 190, 100)
    near(ts.filter((t) => t >= from && t < to).length, expected, 0.1, `arrivals in ${from}-${to} s`)
  }
})

test('--arrival poisson against a server: the scheduled count, recorded with its seed and burstiness', async (t) => {
  const server = await startServer()
  t.after(() => server.close())
  const result = await runLoad({ url: server.url, rate: 300, runTime: 1.5, arrival: 'poisson', burstiness: 0.5, seed: 9 })
  const expected = times(arrivalSchedule({ kind: 'poisson', burstiness: 0.5, seed: 9 }, 300, 300, 1.5)).length
  // The same seed schedules the same arrivals; at most the last one loses its race with the stop.
  assert.ok(server.count() >= expected - 1 && server.count() <= expected, `sent ${server.count()} of ${expected}`)
  assert.equal(result.config.arrival, 'poisson')
  assert.equal(result.config.burstiness, 0.5)
  assert.equal(result.config.seed, 9)
})

test('bad arrival options are usage errors naming the flag', async () => {
  const bad = (options: Parameters<typeof runLoad>[0], message: string) =>
    assert.rejects(runLoad(options), { name: 'UsageError', message })
  await Promise.all([
    bad({ url: 'http://127.0.0.1:1/', rate: 10, burstiness: 0 },
      'invalid --burstiness "0": expected a number > 0 (1 = Poisson arrivals, below 1 burstier, above 1 more regular)'),
    bad({ url: 'http://127.0.0.1:1/', burstiness: 2 }, "--burstiness needs --rate: it shapes the open loop's arrivals"),
    bad({ url: 'http://127.0.0.1:1/', rate: 10, arrival: 'constant', burstiness: 2 },
      '--burstiness shapes random arrivals: use it with --arrival poisson, not constant')
  ])
})
