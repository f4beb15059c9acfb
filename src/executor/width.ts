// How many of a flow's sync nodes can run at the same time: the widest set of pool nodes of which none
// depends on another, directly or through other nodes (the DAG's largest antichain among them). One run
// needs at most this many pool threads at once, so a pool of width x runs never makes a run wait for a
// thread that another run holds.
//
// By Dilworth's theorem the largest antichain equals the fewest chains covering the nodes, which is the
// node count minus a maximum matching between "u must finish before v" pairs. Flows have tens of nodes,
// and this runs once per load, so a simple augmenting-path matching is plenty.
import type { PlanNode } from '../flow/plan.js'

/** The largest number of pool nodes of one run that can be running at once (0 without pool nodes). */
export function poolWidth(nodes: PlanNode[]): number {
  const members: number[] = []
  nodes.forEach((node, i) => {
    if (node.place === 'pool') members.push(i)
  })
  if (members.length <= 1) return members.length
  const before = ancestorSets(nodes)
  // later[a] = members (by position in `members`) that can only start after member a has finished.
  const later = members.map((a) => members.flatMap((b, k) => (before[b]!.has(a) ? [k] : [])))
  const matchedTo = new Int32Array(members.length).fill(-1)
  let matched = 0
  for (let a = 0; a < members.length; a++) {
    if (augment(a, later, matchedTo, new Uint8Array(members.length))) matched++
  }
  return members.length - matched
}

/** For each node, every node it waits for, directly or transitively. */
function ancestorSets(nodes: PlanNode[]): Set<number>[] {
  const sets: Array<Set<number> | undefined> = new Array(nodes.length)
  const visit = (i: number): Set<number> => {
    const known = sets[i]
    if (known) return known
    const set = new Set<number>()
    for (const d of nodes[i]!.deps) {
      set.add(d)
      for (const a of visit(d)) set.add(a)
    }
    sets[i] = set
    return set
  }
  return nodes.map((_, i) => visit(i))
}

function augment(a: number, later: number[][], matchedTo: Int32Array, seen: Uint8Array): boolean {
  for (const b of later[a]!) {
    if (seen[b]) continue
    seen[b] = 1
    if (matchedTo[b] === -1 || augment(matchedTo[b]!, later, matchedTo, seen)) {
      matchedTo[b] = a
      return true
    }
  }
  return false
}
