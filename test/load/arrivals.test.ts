// The open loop's schedule on its own: how many arrivals are due by a time, and when the n-th is due,
// for a fixed rate and for a linear ramp, checked against values worked out by hand.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { arrivalTime, arrivalsBy } from '../../src/load/open.js'

const close = (actual: number, expected: number, label: string): void =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${label}: ${actual}, expected ${expected}`)

test('a fixed rate: n arrivals by n / rate seconds, the n-th at n / rate', () => {
  close(arrivalsBy(0, 100, 100, 10), 0, 'by 0 s')
  close(arrivalsBy(1, 100, 100, 10), 100, 'by 1 s')
  close(arrivalsBy(2.5, 100, 100, 10), 250, 'by 2.5 s')
  close(arrivalsBy(10, 100, 100, 10), 1000, 'by 10 s')
  // Past the span the rate stays at its end value.
  close(arrivalsBy(12, 100, 100, 10), 1200, 'by 12 s')
  close(arrivalTime(0, 100, 100, 10), 0, 'first')
  close(arrivalTime(1, 100, 100, 10), 0.01, 'second')
  close(arrivalTime(250, 100, 100, 10), 2.5, '251st')
})

test('a ramp from 100/s to 300/s over 10 s: arrivals are the area under the rate', () => {
  // rate(t) = 100 + 20 t: by t, 100 t + 10 t^2 arrivals.
  close(arrivalsBy(1, 100, 300, 10), 110, 'by 1 s')
  close(arrivalsBy(5, 100, 300, 10), 750, 'by 5 s')
  close(arrivalsBy(10, 100, 300, 10), 2000, 'by 10 s')
  // After the ramp: 300/s.
  close(arrivalsBy(11, 100, 300, 10), 2300, 'by 11 s')
  // The inverse: 100 t + 10 t^2 = n.
  close(arrivalTime(0, 100, 300, 10), 0, 'first')
  close(arrivalTime(110, 100, 300, 10), 1, '111th')
  close(arrivalTime(750, 100, 300, 10), 5, '751st')
  close(arrivalTime(2000, 100, 300, 10), 10, 'at the end of the ramp')
  close(arrivalTime(2300, 100, 300, 10), 11, 'past the ramp, at 300/s')
})

test('a ramp down from 300/s to 100/s', () => {
  // rate(t) = 300 - 20 t: by t, 300 t - 10 t^2 arrivals.
  close(arrivalsBy(1, 300, 100, 10), 290, 'by 1 s')
  close(arrivalsBy(10, 300, 100, 10), 2000, 'by 10 s')
  close(arrivalTime(290, 300, 100, 10), 1, '291st')
  close(arrivalTime(1250, 300, 100, 10), 5, '1251st')
  close(arrivalTime(2100, 300, 100, 10), 11, 'past the ramp, at 100/s')
})

test('arrivalTime inverts arrivalsBy all along a ramp', () => {
  for (const [r0, r1] of [[50, 400], [400, 50], [1, 2], [200, 200]] as const) {
    for (let n = 0; n < arrivalsBy(12, r0, r1, 10); n += 7) {
      close(arrivalsBy(arrivalTime(n, r0, r1, 10), r0, r1, 10), n, `${r0}->${r1} n=${n}`)
    }
  }
})
