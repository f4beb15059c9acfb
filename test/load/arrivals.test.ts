// The open loop's schedule on its own: how many arrivals are due by a time, and when the n-th is due,
// for a fixed rate and for linear ramps, checked against values worked out by hand.
// test:concurrent
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { arrivalTime, arrivalsBy } from '../../src/load/open.js'

const close = (actual: number, expected: number, label: string): void =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${label}: ${actual}, expected ${expected}`)

// [rate at 0, rate at the end of the 10 s span, t seconds, arrivals by t]; arrivalTime inverts each row.
// 100/s: n by n / 100 s. 100 -> 300/s: rate 100 + 20 t, so 100 t + 10 t^2 by t, then 300/s past 10 s.
// 300 -> 100/s: 300 t - 10 t^2, then 100/s.
const SCHEDULE: Array<[number, number, number, number]> = [
  [100, 100, 0, 0], [100, 100, 0.01, 1], [100, 100, 1, 100], [100, 100, 2.5, 250], [100, 100, 10, 1000], [100, 100, 12, 1200],
  [100, 300, 0, 0], [100, 300, 1, 110], [100, 300, 5, 750], [100, 300, 10, 2000], [100, 300, 11, 2300],
  [300, 100, 1, 290], [300, 100, 5, 1250], [300, 100, 10, 2000], [300, 100, 11, 2100]
]

test('arrivals by a time and the time of the n-th arrival, fixed and ramping rates', () => {
  for (const [r0, r1, t, n] of SCHEDULE) {
    close(arrivalsBy(t, r0, r1, 10), n, `${r0}->${r1}/s: arrivals by ${t} s`)
    close(arrivalTime(n, r0, r1, 10), t, `${r0}->${r1}/s: arrival ${n} (from 0)`)
  }
})

test('arrivalTime inverts arrivalsBy all along a ramp', () => {
  for (const [r0, r1] of [[50, 400], [400, 50], [1, 2], [200, 200]] as const) {
    for (let n = 0; n < arrivalsBy(12, r0, r1, 10); n += 7) {
      close(arrivalsBy(arrivalTime(n, r0, r1, 10), r0, r1, 10), n, `${r0}->${r1} n=${n}`)
    }
  }
})
