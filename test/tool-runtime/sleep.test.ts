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

// Node fires a timer longer than 2^31 - 1 ms after 1 ms: `await sleep(30 days)` returned at once.
test('an async sleep longer than a timer holds is refused; one at the limit waits until its signal aborts', async () => {
  await assert.rejects(sleep(3e9), {
    name: 'RangeError', message: 'sleep: ms must be at most 2147483000 (24.8 days, the longest delay a Node.js timer holds), got 3000000000'
  })
  const controller = new AbortController()
  const long = sleep(2_147_483_000, controller.signal)
  const outcome = await Promise.race([long.then(() => 'woke'), new Promise((resolve) => setTimeout(resolve, 50, 'still asleep'))])
  assert.equal(outcome, 'still asleep')
  controller.abort(new Error('stop'))
  await assert.rejects(long, { message: 'stop' })
})
