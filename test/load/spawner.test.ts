// The spawner starts users at their due times, and never so many in one turn that the event loop
// (answers to time, progress to print) waits behind it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MAX_STARTS_PER_TURN, Spawner } from '../../src/load/spawner.js'

test('spawner: a catch-up of thousands of users is started a batch per turn, each user once and in order', async () => {
  const started: number[] = []
  const spawner = new Spawner(2_000, 1_000_000, (i) => started.push(i))
  // At a million per second all 2,000 fall due within the first 2 ms.
  spawner.start()
  assert.ok(started.length <= MAX_STARTS_PER_TURN, `${started.length} started at once`)
  const seenBetween: number[] = []
  await new Promise<void>((done) => {
    const look = (): void => {
      seenBetween.push(started.length)
      if (started.length < 2_000) setImmediate(look)
      else done()
    }
    setImmediate(look)
  })
  const steps = seenBetween.map((n, i) => n - (seenBetween[i - 1] ?? 0))
  assert.ok(steps.every((d) => d <= MAX_STARTS_PER_TURN), `users started between two turns of the loop: ${steps.join(',')}`)
  assert.deepEqual(started, Array.from({ length: 2_000 }, (_, i) => i))
  assert.equal(spawner.count, 2_000)
})

test('spawner: users not yet due wait for their time, stop() ends the ramp', async () => {
  const started: number[] = []
  const spawner = new Spawner(100, 20, (i) => started.push(i))
  const t0 = performance.now()
  spawner.start()
  assert.deepEqual(started, [0])
  await new Promise((r) => setTimeout(r, 230))
  // 20 per second: user i falls due at i * 50 ms; the one due last may still be on its timer.
  const due = Math.floor((performance.now() - t0) / 50) + 1
  assert.ok(started.length >= due - 1 && started.length <= due, `started ${started.length}, due ${due}`)
  spawner.stop()
  const n = started.length
  await new Promise((r) => setTimeout(r, 120))
  assert.equal(started.length, n)
})
