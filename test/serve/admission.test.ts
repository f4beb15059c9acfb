import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Admission } from '../../src/serve/admission.js'
import { OverloadError, TimeoutError } from '../../src/errors.js'
import { getEventListeners } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import { admissionDefaults } from '../../src/serve/options.js'
import type { StartServerOptions } from '../../src/serve/server.js'
import { score, serveFixture } from './helpers.js'

test('admits up to maxConcurrency, queues up to queue, refuses beyond', () => {
  const a = new Admission({ maxConcurrency: 2, queue: 1 })
  assert.equal(a.tryAcquire(), true)
  assert.equal(a.tryAcquire(), true)
  assert.equal(a.tryAcquire(), false)
  assert.equal(a.canWait(), true)
  void a.wait()
  assert.equal(a.queued, 1)
  assert.equal(a.canWait(), false)
  const err = a.refuse()
  assert.ok(err instanceof OverloadError)
  assert.equal(err.message, 'server is at capacity: 2 runs in progress and 1 waiting (--max-concurrency 2, --queue 1); retry later')
  assert.equal(a.rejected, 1)
})

test('a released slot goes to the oldest waiter (FIFO)', async () => {
  const a = new Admission({ maxConcurrency: 1, queue: 3 })
  assert.equal(a.tryAcquire(), true)
  const order: string[] = []
  const first = a.wait().then(() => order.push('first'))
  const second = a.wait().then(() => order.push('second'))
  a.release()
  await first
  assert.deepEqual(order, ['first'])
  assert.equal(a.inFlight, 1, 'the slot passed to the waiter, not freed')
  a.release()
  await second
  assert.deepEqual(order, ['first', 'second'])
  a.release()
  assert.equal(a.inFlight, 0)
  assert.equal(a.queued, 0)
})

test('a waiter whose signal aborts leaves the queue with the signal reason', async () => {
  const a = new Admission({ maxConcurrency: 1, queue: 2 })
  a.tryAcquire()
  const controller = new AbortController()
  const waiting = a.wait(controller.signal)
  const other = a.wait()
  const reason = new TimeoutError('too slow')
  controller.abort(reason)
  await assert.rejects(waiting, (err) => err === reason)
  assert.equal(a.queued, 1)
  a.release()
  await other
  assert.equal(a.inFlight, 1)
})

test('a waiter with an already aborted signal is refused at once and never queued', async () => {
  const a = new Admission({ maxConcurrency: 1, queue: 2 })
  a.tryAcquire()
  const controller = new AbortController()
  const reason = new TimeoutError('gone already')
  controller.abort(reason)
  await assert.rejects(a.wait(controller.signal), (err) => err === reason)
  assert.equal(a.queued, 0)
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0)
})

test('a waiter that gets its slot, or is refused at shutdown, leaves no listener on its signal', async () => {
  const a = new Admission({ maxConcurrency: 1, queue: 3 })
  a.tryAcquire()
  const served = new AbortController()
  const waiting = a.wait(served.signal)
  assert.equal(getEventListeners(served.signal, 'abort').length, 1)
  a.release()
  await waiting
  assert.equal(getEventListeners(served.signal, 'abort').length, 0, 'listener removed once served')
  const refused = new AbortController()
  const refusedWait = a.wait(refused.signal)
  const plain = a.wait()
  const err = new Error('shutting down')
  a.rejectAll(err)
  await assert.rejects(refusedWait, (e) => e === err)
  await assert.rejects(plain, (e) => e === err)
  assert.equal(getEventListeners(refused.signal, 'abort').length, 0, 'listener removed at shutdown')
})

test('maxConcurrency 0 means unlimited', () => {
  const a = new Admission({ maxConcurrency: 0, queue: 0 })
  for (let i = 0; i < 10_000; i++) assert.equal(a.tryAcquire(), true)
  assert.equal(a.inFlight, 10_000)
})

test('queue 0: nothing waits', () => {
  const a = new Admission({ maxConcurrency: 1, queue: 0 })
  a.tryAcquire()
  assert.equal(a.canWait(), false)
})

test('rejectAll refuses every waiter', async () => {
  const a = new Admission({ maxConcurrency: 1, queue: 2 })
  a.tryAcquire()
  const w1 = a.wait()
  const w2 = a.wait()
  const err = new Error('shutting down')
  a.rejectAll(err)
  await assert.rejects(w1, (e) => e === err)
  await assert.rejects(w2, (e) => e === err)
  assert.equal(a.queued, 0)
})

test('default limits: 10,000 runs and 1,000 waiting for async flows; --threads runs and an eighth of them waiting (at least 1) for sync tools', () => {
  assert.deepEqual(admissionDefaults(4, false), { maxConcurrency: 10_000, queue: 1_000 })
  assert.deepEqual(admissionDefaults(64, false), { maxConcurrency: 10_000, queue: 1_000 })
  assert.deepEqual(admissionDefaults(64, true), { maxConcurrency: 64, queue: 8 })
  assert.deepEqual(admissionDefaults(9, true), { maxConcurrency: 9, queue: 2 })
  assert.deepEqual(admissionDefaults(3, true), { maxConcurrency: 3, queue: 1 })
  assert.deepEqual(admissionDefaults(1, true), { maxConcurrency: 1, queue: 1 })
})

test('a served flow gets the default limits unless given; explicit ones, 0 included, win', async (t) => {
  const cases: Array<[string, Partial<StartServerOptions>, number, number]> = [
    ['wait', {}, 10_000, 1_000],
    ['block', { threads: 2 }, 2, 1],
    ['block', { threads: 16 }, 16, 2],
    ['block', { threads: 2, maxConcurrency: 0, queue: 0 }, 0, 0],
    ['wait', { maxConcurrency: 5 }, 5, 1_000]
  ]
  for (const [name, options, maxConcurrency, queue] of cases) {
    const server = await serveFixture(name, options)
    t.after(() => server.close())
    assert.deepEqual([server.app.admission.maxConcurrency, server.app.admission.maxQueue], [maxConcurrency, queue], `${name} ${JSON.stringify(options)}`)
  }
})

test('a sync flow with --threads 1 and default limits: one runs, one waits, the third is refused at once', async (t) => {
  const server = await serveFixture('block', { threads: 1 })
  t.after(() => server.close())
  const sentAt = performance.now()
  const timed = (): Promise<{ status: number; ms: number }> => score(server.url, { ms: 600 }).then((r) => ({ status: r.status, ms: performance.now() - sentAt }))
  const first = timed()
  await sleep(100)
  const second = timed()
  await sleep(100)
  const third = await timed()
  assert.equal(third.status, 503)
  assert.ok(third.ms < 500, `refused after ${Math.round(third.ms)} ms`)
  const [a, b] = await Promise.all([first, second])
  assert.deepEqual([a.status, b.status], [200, 200])
  // The second waited for the first: run after run on the one thread.
  assert.ok(b.ms >= 1150, `the queued request answered after ${Math.round(b.ms)} ms`)
})
