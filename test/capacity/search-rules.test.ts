// Each rule of the capacity search, pinned by the exact steps it takes: how far it grows after a pass
// and descends after a failure (by the margin), where it interpolates inside a bracket and when it
// bisects instead, how an aim moves it, when the bracket is narrow enough, and how the budget and an
// interruption end it. search.test.ts checks what the search finds; this file checks how, so that a
// changed factor or bound that still finds the capacity (in more steps) is caught too. Every expected
// load below is worked out by hand from the rule it names (src/capacity/search.ts; README, `floodgate capacity`).
// test:concurrent
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { searchCapacity, type SearchOutcome, type SearchSettings, type StepPurpose, type StepRunner, type StepVerdict } from '../../src/capacity/search.js'

type Step = [load: number, purpose: StepPurpose]

/**
 * Answers each step with the next scripted margin (passed when below 0); the step after the last is cut
 * short (an interrupted step: the search ends there). Each step takes `tookSec` on a simulated clock.
 */
function scripted(margins: number[], tookSec = 20): StepRunner & { steps: Step[] } {
  let clock = 0
  const steps: Step[] = []
  return {
    steps,
    elapsedSec: () => clock,
    async run(load: number, purpose: StepPurpose): Promise<StepVerdict> {
      steps.push([load, purpose])
      clock += tookSec
      if (steps.length > margins.length + 1) throw new Error(`a step after an interrupted one: ${load} (${purpose})`)
      if (steps.length === margins.length + 1) return { passed: false, margin: Infinity, complete: false }
      const margin = margins[steps.length - 1]!
      return { passed: margin < 0, margin, complete: true }
    }
  }
}

const settings = (over: Partial<SearchSettings> = {}): SearchSettings => ({
  unit: 'users', lowest: 1, highest: 10_000, first: 100, budgetSec: 1e6, stepSec: 20, ...over
})

async function search(margins: number[], over: Partial<SearchSettings> = {}, tookSec?: number): Promise<{ steps: Step[]; out: SearchOutcome }> {
  const runner = scripted(margins, tookSec)
  const out = await searchCapacity(runner, settings(over))
  return { steps: runner.steps, out }
}

test('after a pass it grows by 1.25 within 10% of the bound (-0.1 included), 1.5 within 30%, else doubles', async () => {
  const { steps, out } = await search([-0.1, -0.3, -0.31])
  assert.deepEqual(steps, [[100, 'probe'], [125, 'grow'], [188, 'grow'], [376, 'grow']])
  // The cut-short step decides nothing: it is neither a pass nor a failure.
  assert.equal(out.stopReason, 'interrupted')
  assert.equal(out.capacity, 188)
  assert.equal(out.firstFailing, null)
  assert.equal(out.atLeast, false)
  assert.equal(out.confirmed, false)
})

test('after a failure it descends by 4 from 50% past the bound, by 2 from 10%, else by 1.25', async () => {
  const { steps, out } = await search([0.5, 0.1, 0.0999], { first: 1000 })
  assert.deepEqual(steps, [[1000, 'probe'], [250, 'descend'], [125, 'descend'], [100, 'descend']])
  assert.equal(out.capacity, null)
  assert.equal(out.firstFailing, 125)
})

test('inside a bracket: where the margin line crosses 0, then a bisection when that did not halve the bracket', async () => {
  // [100 (-0.5), 200 (0.3)]: 100 + 0.5 / 0.8 * 100 = 162.5 -> 163. Failing there leaves [100, 163], more
  // than half of [100, 200]: bisect, (100 + 163) / 2 = 131.5 -> 132. A pass at 132 (-0.05) against 163
  // (0.1): 132 + 0.05 / 0.15 * 31 = 142.3 -> 142, interpolated again.
  const { steps } = await search([-0.5, 0.3, 0.1, -0.05])
  assert.deepEqual(steps, [[100, 'probe'], [200, 'grow'], [163, 'interpolate'], [132, 'bisect'], [142, 'interpolate']])
})

test('an interpolation that halved the bracket exactly is followed by another', async () => {
  // [100 (-0.5), 200 (0.5)] -> 150; failing at 0.5 leaves [100, 150], half of [100, 200], not more.
  const { steps } = await search([-0.5, 0.5, 0.5])
  assert.deepEqual(steps, [[100, 'probe'], [200, 'grow'], [150, 'interpolate'], [125, 'interpolate']])
})

test('a failure far past its bound counts as twice the bound in the interpolation', async () => {
  // The failing margin 3 counts as 1: 100 + 0.5 / 1.5 * 100 = 133.3 (not 114 with 3).
  const { steps } = await search([-0.5, 3])
  assert.deepEqual(steps.at(-1), [133, 'interpolate'])
})

test('an interpolated load stays 10% of the bracket away from either end', async () => {
  // [100 (-0.01), 200 (0.2)]: the crossing, 104.8, is held at 110.
  const low = await search([0.2, -0.01], { first: 200 })
  assert.deepEqual(low.steps, [[200, 'probe'], [100, 'descend'], [110, 'interpolate']])
  // [160 (-0.9), 200 (0.01)]: the crossing, 199.6, is held at 196.
  const high = await search([0.01, -0.9], { first: 200 })
  assert.deepEqual(high.steps, [[200, 'probe'], [160, 'descend'], [196, 'interpolate']])
})

test('whole users: a load that rounds onto an end of the bracket moves one user inside it', async () => {
  // [8 (-0.01), 10 (0.05)]: 8.33 rounds to 8, the passing end: 9. Then [9, 10] is narrow: 9 is confirmed.
  const low = await search([0.05, -0.01, -0.005, -0.005], { first: 10 })
  assert.deepEqual(low.steps, [[10, 'probe'], [8, 'descend'], [9, 'interpolate'], [9, 'confirm']])
  assert.equal(low.out.stopReason, 'converged')
  assert.equal(low.out.capacity, 9)
  assert.equal(low.out.confirmed, true)
  // [8 (-0.9), 10 (0.05)]: 9.8 rounds to 10, the failing end: 9.
  const high = await search([0.05, -0.9], { first: 10 })
  assert.deepEqual(high.steps.at(-1), [9, 'interpolate'])
  // One user, not half the bracket: [8, 12] (reached by an aim at 8) gives 9 and 11, not 10.
  const aimAt8 = { first: 12, aim: (load: number) => (load === 12 ? 8 : null) }
  const wideLow = await search([0.2, -0.01], aimAt8)
  assert.deepEqual(wideLow.steps, [[12, 'probe'], [8, 'descend'], [9, 'interpolate']])
  const wideHigh = await search([0.01, -0.9], aimAt8)
  assert.deepEqual(wideHigh.steps, [[12, 'probe'], [8, 'descend'], [11, 'interpolate']])
})

test('without a usable margin line it bisects: the geometric middle of a bracket wider than 2x, else the plain one', async () => {
  // A pass with nothing measured against its bound (margin -Infinity) gives no line to interpolate on.
  const wide = await search([0.6, -Infinity], { first: 1000 })
  assert.deepEqual(wide.steps, [[1000, 'probe'], [250, 'descend'], [500, 'bisect']])
  const twice = await search([0.1, -Infinity], { first: 1000 })
  assert.deepEqual(twice.steps, [[1000, 'probe'], [500, 'descend'], [750, 'bisect']])
})

test('an aim inside the bracket is where it interpolates; one outside it is ignored', async () => {
  const inside = await search([-0.5, 0.3], { aim: (load) => (load === 200 ? 170 : null) })
  assert.deepEqual(inside.steps, [[100, 'probe'], [200, 'grow'], [170, 'interpolate']])
  // Outside means at or beyond either end: the margin line's 163 then, not the aim held 10% inside.
  for (const aim of [250, 200, 100, 50]) {
    const outside = await search([-0.5, 0.3], { aim: (load) => (load === 200 ? aim : null) })
    assert.deepEqual(outside.steps.at(-1), [163, 'interpolate'], `aim ${aim}`)
  }
})

test('an aim that is not a positive finite load is no aim', async () => {
  // A pass 5% inside the bound grows by 1.25 without an aim; any of these aims taken would say otherwise.
  for (const aim of [0, -5, Number.NaN, Infinity, undefined]) {
    const { steps } = await search([-0.05], { aim: () => aim as number })
    assert.deepEqual(steps.at(-1), [125, 'grow'], `aim ${aim}`)
  }
})

test('descending with an aim: by at least 1.1 and at most 4', async () => {
  for (const [aim, expected] of [[500, 500], [100, 250], [990, 909]] as const) {
    const { steps } = await search([0.3], { first: 1000, aim: () => aim })
    assert.deepEqual(steps.at(-1), [expected, 'descend'], `aim ${aim}`)
  }
})

test('growing with an aim: by at least 1.1 and at most 2', async () => {
  for (const [aim, expected] of [[150, 150], [105, 110], [900, 200]] as const) {
    const { steps } = await search([-0.5], { aim: () => aim })
    assert.deepEqual(steps.at(-1), [expected, 'grow'], `aim ${aim}`)
  }
})

test('a descent that rounds back onto the failing load goes to the lowest; a growth that rounds back, one user up', async () => {
  // 2 / 1.25 = 1.6 rounds to 2: the next step is the lowest load, 1.
  const down = await search([0.05], { first: 2 })
  assert.deepEqual(down.steps, [[2, 'probe'], [1, 'descend']])
  // 1 * 1.25 rounds to 1: the next step is 2.
  const up = await search([-0.05], { first: 1 })
  assert.deepEqual(up.steps, [[1, 'probe'], [2, 'grow']])
})

test('a bracket within the tolerance (5% included) ends with the passing end confirmed', async () => {
  // [100, 150] with an aim at 105; failing there leaves [100, 105]: 5%, narrow enough.
  const { steps, out } = await search([-0.2, 0.3, 0.01, -0.2], { aim: (load) => (load === 150 ? 105 : null) })
  assert.deepEqual(steps, [[100, 'probe'], [150, 'grow'], [105, 'interpolate'], [100, 'confirm']])
  assert.equal(out.stopReason, 'converged')
  assert.deepEqual([out.capacity, out.firstFailing, out.confirmed], [100, 105, true])
})

test('rates keep three significant digits below 1,000; users are whole and at least 1', async () => {
  for (const [first, expected] of [[48.3456, 48.3], [0.123456, 0.123], [7.77777, 7.78], [1234.4, 1234]] as const) {
    const { steps } = await search([], { unit: 'rps', lowest: 0.1, first })
    assert.deepEqual(steps, [[expected, 'probe']], `rate ${first}`)
  }
  const users = await search([], { first: 0.3 })
  assert.deepEqual(users.steps, [[1, 'probe']])
  const capped = await search([], { first: 50_000 })
  assert.deepEqual(capped.steps, [[10_000, 'probe']])
})

test('the budget: a step runs when exactly the time it needs is left; with less, the found load is confirmed if one step fits', async () => {
  // 20 s steps, 60 s: the probe (20 s); a growth needs two steps' time once a load passed (itself and a
  // confirmation), 40 s, and 40 s are left; then 20 s are left: room for the confirmation only.
  const { steps, out } = await search([-0.5, -0.5, -0.5, -0.5], { budgetSec: 60 })
  assert.deepEqual(steps, [[100, 'probe'], [200, 'grow'], [200, 'confirm']])
  assert.equal(out.stopReason, 'budget')
  assert.deepEqual([out.capacity, out.confirmed, out.atLeast, out.firstFailing], [200, true, false, null])
})

test('the budget: the first step needs only its own time; no confirmation starts without the time for it', async () => {
  // 30 s: the probe (20 s) runs, then 10 s are left, too little for anything, even the confirmation.
  const { steps, out } = await search([-0.5, -0.5], { budgetSec: 30 })
  assert.deepEqual(steps, [[100, 'probe']])
  assert.deepEqual([out.stopReason, out.capacity, out.confirmed], ['budget', 100, false])
})

test('the budget counts the longest step measured, not the planned length', async () => {
  // Planned 10 s, each takes 30: after the probe a growth needs 60 s (70 left), then the 40 s left hold
  // only the confirmation.
  const { steps, out } = await search([-0.5, -0.5, -0.5, -0.5], { budgetSec: 100, stepSec: 10 }, 30)
  assert.deepEqual(steps, [[100, 'probe'], [200, 'grow'], [200, 'confirm']])
  assert.equal(out.stopReason, 'budget')
})

test('a signal aborted before the first step: nothing runs', async () => {
  const controller = new AbortController()
  controller.abort()
  const { steps, out } = await search([-0.5], { signal: controller.signal })
  assert.deepEqual(steps, [])
  assert.deepEqual([out.stopReason, out.capacity, out.firstFailing, out.steps.length], ['interrupted', null, null, 0])
})

test('a load that passed then failed its confirmation is a failure: the search goes on below it', async () => {
  // Tolerance 30%: [163, 200] is narrow, so 163 is confirmed, and fails. Now [100, 163], interpolated on
  // 163's last margin: 100 + 0.5 / 0.51 * 63 = 161.8, held at 163 - 6.3 -> 157.
  const { steps, out } = await search([-0.5, 0.3, -0.01, 0.01], { tolerance: 0.3 })
  assert.deepEqual(steps, [[100, 'probe'], [200, 'grow'], [163, 'interpolate'], [163, 'confirm'], [157, 'interpolate']])
  assert.deepEqual([out.capacity, out.firstFailing, out.confirmed], [100, 163, false])
})
