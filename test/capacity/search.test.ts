// The search's bracketing and bisection on a simulated server whose capacity each test sets: a step
// passes when its load is at most the capacity, its margin grows like a latency past a knee. No real
// waiting: the simulated clock advances by one step's length per step.
// test:concurrent
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { searchCapacity, WIDE_MARGIN, type SearchOutcome, type SearchSettings, type StepPurpose, type StepRunner, type StepVerdict } from '../../src/capacity/search.js'

interface Simulated extends StepRunner {
  loads: number[]
  purposes: StepPurpose[]
}

/** Latency-like margin: flat well below the capacity, steep past it (a hockey stick). */
function hockeyStick(capacity: number): (load: number) => number {
  return (load) => (load <= capacity ? -0.6 * (1 - load / capacity) - 0.01 : 3 * ((load - capacity) / capacity) + 0.01)
}

function simulated(margin: (load: number, run: number) => number, stepSec = 20, abortAfter?: { steps: number; controller: AbortController }): Simulated {
  let clock = 0
  const seen = new Map<number, number>()
  const loads: number[] = []
  const purposes: StepPurpose[] = []
  return {
    loads,
    purposes,
    elapsedSec: () => clock,
    async run(load: number, purpose: StepPurpose): Promise<StepVerdict> {
      loads.push(load)
      purposes.push(purpose)
      const n = (seen.get(load) ?? 0) + 1
      seen.set(load, n)
      clock += stepSec
      if (abortAfter && loads.length === abortAfter.steps) {
        abortAfter.controller.abort()
        return { passed: false, margin: Infinity, complete: false }
      }
      const m = margin(load, n)
      return { passed: m < 0, margin: m, complete: true }
    }
  }
}

const settings = (over: Partial<SearchSettings>): SearchSettings => ({
  unit: 'users', lowest: 1, highest: 10_000, first: 100, budgetSec: 300, stepSec: 20, ...over
})

/** No step at or above a load that had already failed by a wide margin. */
function assertNoPointlessOverload(out: SearchOutcome): void {
  out.steps.forEach((s, i) => {
    const wide = out.steps.slice(0, i).find((p) => p.verdict.complete && p.verdict.margin >= WIDE_MARGIN && p.load <= s.load)
    assert.equal(wide, undefined, `step ${i + 1} at ${s.load} is at or above ${wide?.load}, which failed by a wide margin`)
  })
}

function assertFound(out: SearchOutcome, capacity: number, tolerance = 0.05): void {
  assert.ok(out.capacity !== null, 'a capacity was found')
  assert.ok(out.capacity! <= capacity, `capacity ${out.capacity} passes only at or below ${capacity}`)
  assert.ok(out.firstFailing !== null && out.firstFailing > capacity, `first failing ${out.firstFailing} is above ${capacity}`)
  assert.ok((out.firstFailing! - out.capacity!) / out.capacity! <= tolerance || out.firstFailing! - out.capacity! <= 1,
    `bracket [${out.capacity}, ${out.firstFailing}] within ${tolerance * 100}%`)
}

test('users: brackets and narrows to within 5% of a set capacity, confirms it, and never overloads past a wide failure', async () => {
  for (const [capacity, first] of [[137, 100], [137, 1000], [2400, 300], [51, 52], [9, 40]] as const) {
    const runner = simulated(hockeyStick(capacity))
    const out = await searchCapacity(runner, settings({ first }))
    assertFound(out, capacity)
    assert.equal(out.stopReason, 'converged', `capacity ${capacity} from ${first}: ${runner.loads.join(' ')}`)
    assert.equal(out.confirmed, true)
    assert.equal(runner.purposes.at(-1), 'confirm')
    assert.equal(runner.loads.at(-1), out.capacity)
    assert.equal(out.atLeast, false)
    assert.ok(out.steps.length <= 12, `${out.steps.length} steps for capacity ${capacity} from ${first}: ${runner.loads.join(' ')}`)
    assertNoPointlessOverload(out)
  }
})

test('rate: loads keep three significant digits and the bracket ends within 5%', async () => {
  const runner = simulated(hockeyStick(48.3))
  const out = await searchCapacity(runner, settings({ unit: 'rps', lowest: 0.5, highest: 5000, first: 20 }))
  assertFound(out, 48.3)
  for (const load of runner.loads) assert.equal(Number(load.toPrecision(3)), load)
  assert.equal(out.confirmed, true)
  assertNoPointlessOverload(out)
})

test('an aim from the closed-loop law reaches the boundary in fewer steps than plain doubling', async () => {
  const capacity = 3000
  const plain = simulated(hockeyStick(capacity))
  const aimed = simulated(hockeyStick(capacity))
  const a = await searchCapacity(plain, settings({ first: 200 }))
  const b = await searchCapacity(aimed, settings({ first: 200, aim: () => capacity * 1.02 }))
  assertFound(a, capacity)
  assertFound(b, capacity)
  assert.ok(b.steps.length < a.steps.length, `aimed ${b.steps.length} steps (${aimed.loads.join(' ')}) vs plain ${a.steps.length} (${plain.loads.join(' ')})`)
  // An aim far off is held to the growth bounds: at most doubling per step.
  const wild = simulated(hockeyStick(capacity))
  await searchCapacity(wild, settings({ first: 200, aim: () => 1e9 }))
  for (let i = 1; i < wild.loads.length && wild.purposes[i] === 'grow'; i++) assert.ok(wild.loads[i]! <= 2 * wild.loads[i - 1]!)
})

test('an SLO met at the upper bound is reported as "at least" the bound', async () => {
  const runner = simulated(hockeyStick(1e6))
  const out = await searchCapacity(runner, settings({ highest: 400, first: 100 }))
  assert.equal(out.capacity, 400)
  assert.equal(out.atLeast, true)
  assert.equal(out.firstFailing, null)
  assert.equal(out.stopReason, 'upper-bound')
  assert.equal(out.confirmed, true)
  assert.ok(runner.loads.every((l) => l <= 400))
})

test('an SLO missed even at the lowest load: no capacity, the lowest load was measured', async () => {
  const runner = simulated(() => 2.5)
  const out = await searchCapacity(runner, settings({ first: 300 }))
  assert.equal(out.capacity, null)
  assert.equal(out.firstFailing, 1)
  assert.equal(out.stopReason, 'lowest-failed')
  assert.equal(runner.loads.at(-1), 1)
  // Wide failures descend by four at a time: 300, 75, 19, 5, 1.
  assert.deepEqual(runner.loads, [300, 75, 19, 5, 1])
})

test('a repeated step that fails takes the capacity back below it', async () => {
  // 130 passes the first time only (a lucky step); the true capacity is 120.
  const stick = hockeyStick(120)
  const runner = simulated((load, run) => (load === 130 && run === 1 ? -0.01 : load > 120 && load <= 130 ? 0.05 : stick(load)))
  const out = await searchCapacity(runner, settings({ first: 130 }))
  assertFound(out, 120)
  assert.equal(out.confirmed, true)
  assert.ok(runner.loads.filter((l) => l === 130).length === 2, `130 was repeated: ${runner.loads.join(' ')}`)
})

test('the budget: no step starts that cannot end in it, and the last one left confirms what was found', async () => {
  const runner = simulated(hockeyStick(137), 30)
  const out = await searchCapacity(runner, settings({ first: 50, budgetSec: 130, stepSec: 30 }))
  assert.equal(out.steps.length, 4)
  assert.equal(out.stopReason, 'budget')
  assert.equal(runner.purposes.at(-1), 'confirm')
  assert.equal(out.confirmed, true)
  assert.ok(runner.elapsedSec() <= 130)
  // A budget shorter than one step runs nothing.
  const none = await searchCapacity(simulated(hockeyStick(137)), settings({ budgetSec: 10 }))
  assert.equal(none.steps.length, 0)
  assert.equal(none.stopReason, 'budget')
})

test('an interrupted step ends the search with what was found before it', async () => {
  const controller = new AbortController()
  const runner = simulated(hockeyStick(137), 20, { steps: 3, controller })
  const out = await searchCapacity(runner, settings({ first: 100, signal: controller.signal }))
  assert.equal(out.stopReason, 'interrupted')
  assert.equal(out.steps.length, 3)
  assert.equal(out.steps[2]!.verdict.complete, false)
  assert.equal(out.capacity, 100)
  assert.equal(out.confirmed, false)
})
