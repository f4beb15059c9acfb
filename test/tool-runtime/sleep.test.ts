// The tools' sleeps: which durations they take (0 and fractions yes; negative, NaN, Infinity and
// non-numbers no, with a message naming the function and the value), and
// an async sleep without a signal. test/tools/tools.test.ts covers the signal's side.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { sleep, sleepSync } from '../../src/tool-runtime/sleep.js'

const refusal = (fn: string, value: string) => ({ name: 'TypeError', message: `${fn}: ms must be a non-negative number of milliseconds, got ${value}` })

test('both sleeps refuse a duration that is not a non-negative finite number, naming it', async () => {
  for (const [ms, shown] of [[-1, '-1'], [Number.NaN, 'NaN'], [Infinity, 'Infinity'], ['5', '5'], [undefined, 'undefined']] as const) {
    assert.throws(() => sleepSync(ms as number), refusal('sleepSync', shown))
    await assert.rejects(sleep(ms as number), refusal('sleep', shown))
  }
})

test('a sleep of 0 or a fraction of a millisecond is fine, with or without a signal', async () => {
  sleepSync(0)
  sleepSync(0.5)
  await sleep(0)
  await sleep(0.5)
  await sleep(0, new AbortController().signal)
})

test('an async sleep without a signal waits its time', async () => {
  const started = performance.now()
  await sleep(30)
  assert.ok(performance.now() - started >= 29, `${performance.now() - started} ms`)
})
