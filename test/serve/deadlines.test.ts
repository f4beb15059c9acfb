// The per-request timeout list: order of expiry, removal, re-arming.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { Deadlines, type DeadlineEntry } from '../../src/serve/deadlines.js'

function entry(name: string, expired: string[]): DeadlineEntry & { name: string } {
  return { name, deadlineAt: 0, deadlinePrev: null, deadlineNext: null, deadlineLinked: false, expire: () => expired.push(name) }
}

test('deadlines expire in arrival order, each about its timeout after it was added', async (t) => {
  // Margins of 100 ms or more: timers on a loaded CI machine run late, never early.
  const deadlines = new Deadlines(400)
  t.after(() => deadlines.close())
  const expired: string[] = []
  const t0 = performance.now()
  deadlines.add(entry('a', expired))
  await sleep(200)
  deadlines.add(entry('b', expired))
  await sleep(300)
  assert.deepEqual(expired, ['a'], 'a expired at 400 ms, b (due at 600 ms) not yet')
  assert.ok(performance.now() - t0 >= 400)
  await sleep(250)
  assert.deepEqual(expired, ['a', 'b'])
})

test('a removed entry never expires; removing the head re-arms for the next one', async (t) => {
  const deadlines = new Deadlines(400)
  t.after(() => deadlines.close())
  const expired: string[] = []
  const a = entry('a', expired)
  const b = entry('b', expired)
  const c = entry('c', expired)
  deadlines.add(a)
  await sleep(200)
  deadlines.add(b)
  deadlines.add(c)
  deadlines.remove(a)
  deadlines.remove(c)
  deadlines.remove(c)
  assert.equal(c.deadlineLinked, false)
  await sleep(300)
  assert.deepEqual(expired, [], 'the timer armed for a (400 ms) found b not due until 600 ms')
  await sleep(250)
  assert.deepEqual(expired, ['b'])
})

test('an entry added after the list emptied gets its own timer', async (t) => {
  const deadlines = new Deadlines(40)
  t.after(() => deadlines.close())
  const expired: string[] = []
  deadlines.add(entry('a', expired))
  await sleep(80)
  deadlines.add(entry('b', expired))
  await sleep(80)
  assert.deepEqual(expired, ['a', 'b'])
})

test('close stops expiry, however many entries were added', async () => {
  const deadlines = new Deadlines(20)
  const expired: string[] = []
  deadlines.add(entry('a', expired))
  deadlines.close()
  await sleep(60)
  assert.deepEqual(expired, [])
  // One timer for the whole list: a second add must not arm another that close() would not know of.
  const more = new Deadlines(20)
  more.add(entry('b', expired))
  more.add(entry('c', expired))
  more.close()
  await sleep(60)
  assert.deepEqual(expired, [])
})
