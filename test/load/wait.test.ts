// Locust's wait_time functions as --wait gives them: seconds a user waits after a request, from the spec,
// how long the request took, and a random source the test controls.
// test:concurrent
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { waitSeconds } from '../../src/load/wait.js'
import { parseWait } from '../../src/load/parse.js'

const never = (): number => assert.fail('this wait draws no random number')

test('between:MIN,MAX is uniform over [MIN, MAX): MIN + u x (MAX - MIN)', () => {
  const spec = parseWait('between:1,3')
  assert.equal(waitSeconds(spec, 0.4, () => 0), 1)
  assert.equal(waitSeconds(spec, 0.4, () => 0.25), 1.5)
  assert.equal(waitSeconds(spec, 9, () => 0.75), 2.5)
})

test('constant:S waits S whatever the request took', () => {
  assert.equal(waitSeconds(parseWait('constant:0.5'), 0.2, never), 0.5)
  assert.equal(waitSeconds(parseWait('constant:0.5'), 3, never), 0.5)
})

test('pacing:S and throughput:R wait what is left of S (or 1 / R) after the request, never less than 0', () => {
  const pacing = parseWait('pacing:2')
  assert.equal(waitSeconds(pacing, 0.5, never), 1.5)
  assert.equal(waitSeconds(pacing, 2, never), 0)
  assert.equal(waitSeconds(pacing, 3.5, never), 0)
  // constant_throughput(r) is constant_pacing(1 / r): 4 a second leaves 0.25 s for each request and its wait.
  const throughput = parseWait('throughput:4')
  assert.equal(waitSeconds(throughput, 0.1, never), 0.15)
  assert.equal(waitSeconds(throughput, 0.25, never), 0)
  assert.equal(waitSeconds(throughput, 1, never), 0)
})

test('none waits 0', () => {
  assert.equal(waitSeconds(parseWait('none'), 0.3, never), 0)
  assert.equal(waitSeconds(parseWait('0'), 0, never), 0)
})
