// test:concurrent
// `${...}` references (src/flow/references.ts): what a node input or output value parses to, and how a
// property path below a value is followed when a run resolves one.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { INPUT, LITERAL, NODE, parseRef, walkPath } from '../../src/flow/references.js'

/** A Ref's fields as a plain object; index -1 is "not linked to a node yet". */
function fields(kind: number, name: string, path: string[] | null, value: unknown, text: string): Record<string, unknown> {
  return { kind, name, path, value, text, index: -1 }
}

test('parseRef: only a whole ${...} value is a reference; anything else is a literal passed as is', () => {
  const cases: Array<[unknown, Record<string, unknown>]> = [
    [5, fields(LITERAL, '', null, 5, '')],
    [null, fields(LITERAL, '', null, null, '')],
    ['plain text', fields(LITERAL, '', null, 'plain text', '')],
    ['see ${inputs.q}', fields(LITERAL, '', null, 'see ${inputs.q}', '')],
    ['${inputs.q} and more', fields(LITERAL, '', null, '${inputs.q} and more', '')],
    ['${inputs.q}', fields(INPUT, 'q', null, undefined, '${inputs.q}')],
    [' ${inputs.q} ', fields(INPUT, 'q', null, undefined, ' ${inputs.q} ')],
    ['${ inputs.q }', fields(INPUT, 'q', null, undefined, '${ inputs.q }')],
    ['${flow.q}', fields(INPUT, 'q', null, undefined, '${flow.q}')],
    ['${inputs.q.a}', fields(INPUT, 'q', ['a'], undefined, '${inputs.q.a}')],
    ['${inputs.q.a.b}', fields(INPUT, 'q', ['a', 'b'], undefined, '${inputs.q.a.b}')],
    ['${chat}', fields(NODE, 'chat', null, undefined, '${chat}')],
    ['${chat.output}', fields(NODE, 'chat', null, undefined, '${chat.output}')],
    ['${chat.output.a}', fields(NODE, 'chat', ['a'], undefined, '${chat.output.a}')],
    ['${chat.output.a.b}', fields(NODE, 'chat', ['a', 'b'], undefined, '${chat.output.a.b}')]
  ]
  for (const [value, expected] of cases) {
    const ref = parseRef(value)
    assert.ok(typeof ref !== 'string', `${String(value)}: ${String(ref)}`)
    assert.deepEqual({ ...ref }, expected, String(value))
  }
})

test('parseRef: a malformed reference is named with what is wrong', () => {
  const cases: Array<[string, string]> = [
    ['${}', 'malformed reference ${}'],
    ['${a..output}', 'malformed reference ${a..output}'],
    ['${chat.output.}', 'malformed reference ${chat.output.}'],
    ['${.q}', 'malformed reference ${.q}'],
    ['${inputs}', 'reference ${inputs} names no input (expected ${inputs.<name>})'],
    ['${flow}', 'reference ${flow} names no input (expected ${inputs.<name>})'],
    ['${chat.result}', 'reference ${chat.result}: expected ${chat.output} or ${chat.output.<property>}']
  ]
  for (const [value, message] of cases) assert.equal(parseRef(value), message, value)
})

test('walkPath: follows own properties; a missing one is named by its index in the path', () => {
  const value = { a: { b: 1, list: [10, 20], text: 'abc', none: null }, zero: 0 }
  const cases: Array<[unknown, string[], number, unknown]> = [
    // Found: -1, the value in out[0].
    [value, ['a', 'b'], -1, 1],
    [value, [], -1, value],
    [value, ['zero'], -1, 0],
    [value, ['a', 'list', '1'], -1, 20],
    [value, ['a', 'none'], -1, null],
    // Missing: the index of the first property not there; out[0] untouched.
    [value, ['x'], 0, 'untouched'],
    [value, ['a', 'c'], 1, 'untouched'],
    [value, ['a', 'b', 'c'], 2, 'untouched'],
    [value, ['a', 'none', 'c'], 2, 'untouched'],
    // A string's length and an object's inherited methods are not properties of the output.
    [value, ['a', 'text', 'length'], 2, 'untouched'],
    [value, ['a', 'toString'], 1, 'untouched'],
    [null, ['a'], 0, 'untouched'],
    [7, ['a'], 0, 'untouched']
  ]
  for (const [from, path, missing, found] of cases) {
    const out: unknown[] = ['untouched']
    assert.equal(walkPath(from, path, out), missing, path.join('.'))
    assert.equal(out[0], found, path.join('.'))
  }
})
