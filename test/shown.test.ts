// test:concurrent
// src/shown.ts: how every message quotes a value at fault (its callers are tested with their own messages).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { head, shown } from '../src/shown.js'

test('a value is quoted as its JSON up to 80 characters, and cut after them saying what was cut', () => {
  assert.equal(shown(undefined), 'nothing')
  assert.equal(shown(null), 'null')
  assert.equal(shown('x'.repeat(78)), `"${'x'.repeat(78)}"`) // 80 characters with the quotes: whole
  assert.equal(shown('x'.repeat(79)), `"${'x'.repeat(79)}... (a string of 79 characters)`)
  assert.equal(shown(Array.from({ length: 50 }, () => 10)), `[${'10,'.repeat(26)}1... (a list of 50 items)`)
  const mapping = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`key${i}`, i]))
  assert.equal(shown(mapping), `${JSON.stringify(mapping).slice(0, 80)}... (a mapping of 20 keys)`)
})

test('a cut never leaves the first half of a surrogate pair alone', () => {
  // "x" x 78 puts the quote and 78 characters before the emoji: its first half is the 80th character.
  const value = `${'x'.repeat(78)}\u{1F600}tail`
  assert.equal(shown(value), `"${'x'.repeat(78)}... (a string of ${value.length} characters)`)
  assert.equal(shown(`${'x'.repeat(77)}\u{1F600}tail`), `"${'x'.repeat(77)}\u{1F600}... (a string of 83 characters)`)
  assert.equal(head('ab\u{1F600}', 3), 'ab')
  assert.equal(head('ab\u{1F600}', 4), 'ab\u{1F600}')
  assert.equal(head('abc', 3), 'abc')
  assert.equal(head('abcd', 3), 'abc')
  assert.equal(head('ab\uD800', 3), 'ab\uD800') // nothing cut, so nothing dropped
  assert.equal(head('ab\uD800c', 3), 'ab') // the first high surrogate
  assert.equal(head('ab\uDBFFc', 3), 'ab') // the last high surrogate
  assert.equal(head('ab\uDC00c', 3), 'ab\uDC00') // a low surrogate ends a pair: the cut is after it
})
