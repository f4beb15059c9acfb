// test:concurrent
// How every flow-definition error names its file and field (src/flow/where.ts), and the two helpers the
// checks use to name what they got: isPlainObject (what counts as a mapping) and typeName.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join, resolve } from 'node:path'
import { Where, isPlainObject, typeName } from '../../src/flow/index.js'

test('a file inside the working directory is shown relative to it, any other as given', () => {
  const cwd = process.cwd()
  const cases: Array<[string, string]> = [
    [join(cwd, 'flows/chat/flow.dag.yaml'), 'flows/chat/flow.dag.yaml'],
    [resolve(cwd, '../other/flow.dag.yaml'), resolve(cwd, '../other/flow.dag.yaml')],
    ['/elsewhere/flow.dag.yaml', '/elsewhere/flow.dag.yaml'],
    // The working directory itself has no relative name: it is shown whole.
    [cwd, cwd]
  ]
  for (const [file, shown] of cases) assert.equal(new Where(file).shown, shown, file)
})

test('errors name the file as shown and the field, and carry both', () => {
  const file = join(process.cwd(), 'flows/chat/flow.dag.yaml')
  const where = new Where(file)
  assert.throws(() => { throw where.error('nodes[1].inputs.x', 'reference to unknown node "nod1"') }, {
    name: 'FlowDefinitionError',
    message: 'flows/chat/flow.dag.yaml: nodes[1].inputs.x: reference to unknown node "nod1"',
    details: { file, field: 'nodes[1].inputs.x' }
  })
  // A whole-file problem has no field to name.
  assert.throws(() => { throw where.error('', 'expected a YAML mapping') }, {
    name: 'FlowDefinitionError',
    message: 'flows/chat/flow.dag.yaml: expected a YAML mapping',
    details: { file, field: '' }
  })
})

test('an error keeps the error behind it as its cause, and has none otherwise', () => {
  const where = new Where('/elsewhere/flow.dag.yaml')
  const behind = new SyntaxError('bad yaml')
  assert.equal(where.error('', 'invalid YAML', behind).cause, behind)
  // No `cause: undefined` either (util.inspect would print it).
  assert.equal(Object.hasOwn(where.error('nodes', 'expected a list of nodes'), 'cause'), false)
})

test('isPlainObject: only a mapping is one', () => {
  class Node {}
  const cases: Array<[unknown, boolean]> = [
    [{}, true],
    [{ a: 1 }, true],
    [Object.create(null), true],
    [[], false],
    [null, false],
    [undefined, false],
    ['text', false],
    [5, false],
    [true, false],
    [new Date(0), false],
    [new Map(), false],
    [new Node(), false]
  ]
  cases.forEach(([value, expected], i) => assert.equal(isPlainObject(value), expected, `case ${i}`))
})

test('typeName: null and list are named as such, anything else by its typeof', () => {
  const cases: Array<[unknown, string]> = [
    [null, 'null'],
    [[1], 'list'],
    [{}, 'object'],
    ['text', 'string'],
    [1.5, 'number'],
    [false, 'boolean'],
    [undefined, 'undefined']
  ]
  for (const [value, expected] of cases) assert.equal(typeName(value), expected, String(value))
})
