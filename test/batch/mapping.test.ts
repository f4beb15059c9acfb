// test:concurrent
// A CSV cell and a --column-mapping constant are text, read by the input's declared type as --input values
// are (src/batch/mapping.ts); here, a bool's true and false in any case, as PromptFlow reads them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { LineInputs, parseMapping } from '../../src/batch/mapping.js'
import type { DataSet } from '../../src/batch/data.js'
import type { InputDef } from '../../src/flow/types.js'

const defs: InputDef[] = [{ name: 'flag', type: 'bool', hasDefault: false }]

function csv(cells: string[]): DataSet {
  return { file: '/data/d.csv', shown: 'd.csv', kind: 'csv', rows: cells.map((flag) => ({ flag })), fileLines: cells.map((_, i) => i + 2), columns: ['flag'] }
}

test('a CSV cell for a bool input: true and false in any case', () => {
  const cells = ['True', 'FALSE', 'true', 'fAlse']
  const lines = new LineInputs(defs, new Map(), csv(cells))
  assert.deepEqual(cells.map((_, i) => lines.of(i).flag), [true, false, true, false])
})

test('a CSV cell that is no bool names the line, the column and the input', () => {
  const lines = new LineInputs(defs, new Map(), csv(['1', 'yes', ' True']))
  for (const [i, cell] of ['1', 'yes', ' True'].entries()) {
    assert.throws(() => lines.of(i), {
      name: 'InputError',
      message: `line ${i} (d.csv line ${i + 2}): column "flag" is ${JSON.stringify(cell)}, but input "flag" is bool, expected true or false (in any case)`,
      details: { input: 'flag' }
    })
  }
})

test('a long cell is quoted by its start in the message, not whole', () => {
  const cell = 'maybe '.repeat(10_000)
  assert.throws(() => new LineInputs(defs, new Map(), csv([cell])).of(0), {
    name: 'InputError',
    message: `line 0 (d.csv line 2): column "flag" is ${JSON.stringify(cell).slice(0, 80)}... (a string of 60000 characters), but input "flag" is bool, expected true or false (in any case)`
  })
})

test('a --column-mapping constant for a bool input: true and false in any case, nothing else', () => {
  assert.deepEqual(parseMapping(['flag=TRUE'], defs), new Map([['flag', { value: true }]]))
  assert.deepEqual(parseMapping(['flag=False'], defs), new Map([['flag', { value: false }]]))
  assert.throws(() => parseMapping(['flag=0'], defs), {
    name: 'UsageError',
    message: '--column-mapping flag=0: input "flag" is bool, expected true or false (in any case)',
    details: { flag: '--column-mapping' }
  })
})
