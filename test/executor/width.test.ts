// test:concurrent
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { poolWidth } from '../../src/executor/width.js'
import type { PlanNode } from '../../src/flow/plan.js'

/** Nodes from "name:place<-dep,dep" specs: place p (pool) or l (loop). */
function plan(...specs: string[]): PlanNode[] {
  const names = specs.map((s) => s.split(':')[0]!)
  return specs.map((spec) => {
    const [name, rest] = spec.split(':') as [string, string]
    const [place, deps = ''] = rest.split('<-')
    return {
      name, place: place === 'p' ? 'pool' : 'loop', call: null, pool: null, poolIndex: -1, inputNames: [], inputRefs: [],
      deps: deps ? deps.split(',').map((d) => names.indexOf(d)) : [], dependents: [], activate: null
    }
  })
}

test("the study's flow: three parallel sync nodes, then chat after all three: width 3", () => {
  assert.equal(poolWidth(plan('node1:p', 'node2:p', 'node3:p', 'chat:p<-node1,node2,node3')), 3)
})

test('a chain runs one node at a time; no sync nodes, no width', () => {
  assert.equal(poolWidth(plan('a:p', 'b:p<-a', 'c:p<-b')), 1)
  assert.equal(poolWidth(plan('a:l', 'b:l<-a')), 0)
  assert.equal(poolWidth(plan('a:p')), 1)
})

test('two independent chains: one node of each at once', () => {
  assert.equal(poolWidth(plan('a1:p', 'a2:p<-a1', 'b1:p', 'b2:p<-b1')), 2)
})

test('async nodes are not counted but order the sync ones through them', () => {
  // s1 -> (async) -> s2: never together. s3 beside both.
  assert.equal(poolWidth(plan('s1:p', 'mid:l<-s1', 's2:p<-mid', 's3:p')), 2)
  // Fan-out of four sync nodes behind one async node, joined by a sync node.
  assert.equal(poolWidth(plan('guard:l', 'a:p<-guard', 'b:p<-guard', 'c:p<-guard', 'd:p<-guard', 'join:p<-a,b,c,d')), 4)
})

test('the widest set is not the widest level: side nodes hanging off a chain all overlap its end', () => {
  // p0 -> p1 -> p2 -> p3, and s1 after p0, s2 after p1, s3 after p2. Each depth holds two nodes, but
  // s1, s2, s3 and p3 can all be running at once.
  assert.equal(poolWidth(plan('p0:p', 'p1:p<-p0', 'p2:p<-p1', 'p3:p<-p2', 's1:p<-p0', 's2:p<-p1', 's3:p<-p2')), 4)
  // A long chain beside one node: 2, not the chain's length.
  assert.equal(poolWidth(plan('c1:p', 'c2:p<-c1', 'c3:p<-c2', 'side:p')), 2)
})
