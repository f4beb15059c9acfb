// How sleep() and httpGet() watch a tool's AbortSignal (src/tool-runtime/abort.ts): one listener per
// signal, the watchers in a list of their own.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { getEventListeners } from 'node:events'
import { unwatchAbort, watchAbort } from '../../src/tool-runtime/abort.js'

function watcher(name: string, heard: string[]): { handleEvent(): void } {
  return { handleEvent: () => heard.push(name) }
}

test('an abort tells each watcher still on the signal once, in the order they came; unwatched ones hear nothing', () => {
  const controller = new AbortController()
  const heard: string[] = []
  const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => watcher(name, heard))
  watchAbort(controller.signal, a!)
  watchAbort(controller.signal, b!)
  watchAbort(controller.signal, c!)
  unwatchAbort(controller.signal, b!)
  unwatchAbort(controller.signal, b!)
  unwatchAbort(new AbortController().signal, a!)
  watchAbort(controller.signal, d!)
  unwatchAbort(controller.signal, d!)
  assert.equal(getEventListeners(controller.signal, 'abort').length, 1, 'one listener for all the watchers')
  controller.abort(new Error('run over'))
  assert.deepEqual(heard, ['a', 'c'])
  controller.abort(new Error('again'))
  assert.deepEqual(heard, ['a', 'c'])
})

test('watching and unwatching many times leaves one listener and an empty list', () => {
  const controller = new AbortController()
  const heard: string[] = []
  for (let i = 0; i < 1000; i++) {
    const w = watcher(String(i), heard)
    watchAbort(controller.signal, w)
    unwatchAbort(controller.signal, w)
  }
  const last = watcher('last', heard)
  watchAbort(controller.signal, last)
  assert.equal(getEventListeners(controller.signal, 'abort').length, 1)
  controller.abort()
  assert.deepEqual(heard, ['last'])
})

test('a watcher that unwatches another while the abort is being told does not change who hears it', () => {
  const controller = new AbortController()
  const heard: string[] = []
  const second = watcher('second', heard)
  const first = { handleEvent: () => (heard.push('first'), unwatchAbort(controller.signal, second)) }
  watchAbort(controller.signal, first)
  watchAbort(controller.signal, second)
  controller.abort()
  assert.deepEqual(heard, ['first', 'second'])
})
