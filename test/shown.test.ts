// test:concurrent
// src/shown.ts: how every message quotes a value at fault (its callers are tested with their own messages).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { shown } from '../src/shown.js'

test('a value is quoted as its JSON up to 80 characters, and cut after them saying what was cut', () => {
  assert.equal(shown(undefined), 'nothing')
  assert.equal(shown(null), 'null')
  assert.equal(shown('x'.repeat(78)), `"${'x'.repeat(78)}"`) // 80 characters with the quotes: whole
  assert.equal(shown('x'.repeat(79)), `"${'x'.repeat(79)}... (a string of 79 characters)`)
  assert.equal(shown(Array.from({ length: 50 }, () => 10)), `[${'10,'.repeat(26)}1... (a list of 50 items)`)
  const mapping = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`key${i}`, i]))
  assert.equal(shown(mapping), `${JSON.stringify(mapping).slice(0, 80)}... (a mapping of 20 keys)`)
})
