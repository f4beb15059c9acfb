// Stop signals and the one exit-code rule (src/process/signals.ts), on this very process.
// test:concurrent
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { interruptedExitCode, onStopSignal, untilStopSignal, type StopSignal } from '../../src/process/index.js'

test('a command a signal cut short exits 130 for SIGINT and 143 for SIGTERM', () => {
  assert.equal(interruptedExitCode('SIGINT'), 130)
  assert.equal(interruptedExitCode('SIGTERM'), 143)
})

test('onStopSignal reports the first signal only and keeps listening until removed', () => {
  const before = process.listenerCount('SIGTERM')
  const seen: StopSignal[] = []
  const remove = onStopSignal((s) => seen.push(s))
  process.emit('SIGTERM', 'SIGTERM')
  process.emit('SIGINT', 'SIGINT')
  assert.deepEqual(seen, ['SIGTERM'])
  assert.equal(process.listenerCount('SIGTERM'), before + 1, 'a second signal must still be caught (not kill the process)')
  remove()
  assert.equal(process.listenerCount('SIGTERM'), before)
})

test('untilStopSignal resolves with the first signal and stops listening', async () => {
  const before = process.listenerCount('SIGINT')
  const stopped = untilStopSignal()
  process.emit('SIGINT', 'SIGINT')
  assert.equal(await stopped, 'SIGINT')
  assert.equal(process.listenerCount('SIGINT'), before)
})
