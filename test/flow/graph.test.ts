// test:concurrent
// The dependency graph's checks at load (src/flow/graph.ts): the cycle a flow is refused for, as the
// message names it (`dependency cycle a -> c -> b -> a`, test/flow/validation.test.ts), and each node's
// dependents. deps[i] lists the nodes node i references.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { dependentsOf, findCycle } from '../../src/flow/graph.js'

test('findCycle: the cycle from where the walk enters it, or null', () => {
  const cases: Array<[string, number[][], number[] | null]> = [
    ['no nodes', [], null],
    ['a chain declared in order', [[], [0], [1]], null],
    // A node listed before what it references, and a diamond: nothing is reached twice as a cycle.
    ['a diamond declared out of order', [[1, 2], [], [], [0]], null],
    ['a node referencing itself', [[0]], [0, 0]],
    ['through the first node', [[2], [0], [1]], [0, 2, 1, 0]],
    // The node that leads into the cycle is not part of it.
    ['entered from a node outside it', [[1], [2], [1]], [1, 2, 1]],
    ['not reachable from the first node', [[], [2], [1]], [1, 2, 1]],
    ['behind a first dependency that is fine', [[1, 2], [], [3], [2]], [2, 3, 2]]
  ]
  for (const [name, deps, cycle] of cases) assert.deepEqual(findCycle(deps), cycle, name)
})

test('findCycle walks each node once: a ladder of 200 diamonds is checked at once', () => {
  // Node i references i+1 and i+2: walking into a finished node again would take 2^100 steps.
  const deps = Array.from({ length: 200 }, (_, i) => [i + 1, i + 2].filter((d) => d < 200))
  assert.equal(findCycle(deps), null)
})

test('dependentsOf: for each node, the nodes that reference it, in node order', () => {
  assert.deepEqual(dependentsOf([[1, 2], [], [1], [0, 1]]), [[3], [0, 2, 3], [0], []])
  assert.deepEqual(dependentsOf([]), [])
})
