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

const three: InputDef[] = [
  { name: 'question', type: 'string', hasDefault: false },
  { name: 'n', type: 'int', hasDefault: false },
  { name: 'tone', type: 'string', hasDefault: true, default: 'calm' }
]

function jsonl(rows: Array<Record<string, unknown>>): DataSet {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))]
  return { file: '/data/d.jsonl', shown: 'd.jsonl', kind: 'jsonl', rows, fileLines: rows.map((_, i) => i + 1), columns }
}

test('--column-mapping: ${data.<column>} names a column, other text is a constant of the input\'s type', () => {
  assert.deepEqual(parseMapping(['question=${data.q}', 'n=12', 'tone=${data.a b}'], three), new Map<string, unknown>([
    ['question', { column: 'q' }], ['n', { value: 12 }], ['tone', { column: 'a b' }]
  ]))
  // The first "=" splits: a constant may hold more.
  assert.deepEqual(parseMapping(['question=a=b'], three), new Map([['question', { value: 'a=b' }]]))
  assert.deepEqual(parseMapping(['question='], three), new Map([['question', { value: '' }]]))
  // A reference is the whole value, as in PromptFlow: text around one makes the value a constant.
  assert.deepEqual(parseMapping(['question=Q: ${data.q}'], three), new Map([['question', { value: 'Q: ${data.q}' }]]))
  assert.deepEqual(parseMapping(['question=${data.q} and more'], three), new Map([['question', { value: '${data.q} and more' }]]))
  assert.deepEqual(parseMapping(['question=see ${run.outputs.x}'], three), new Map([['question', { value: 'see ${run.outputs.x}' }]]))
  assert.deepEqual(parseMapping(['question=${run.outputs.x} too'], three), new Map([['question', { value: '${run.outputs.x} too' }]]))
})

test('--column-mapping errors name the pair and what is wrong', () => {
  const cases: Array<[string, string]> = [
    ['question', "expected input=value, e.g. question='${data.question}'"],
    ['=x', "expected input=value, e.g. question='${data.question}'"],
    ['query=${data.q}', 'the flow has no input "query" (inputs: question, n, tone)'],
    ['question=${run.outputs.answer}', '${run.outputs.answer} is not supported: a value is ${data.<column>} or a constant (${run.outputs...} needs a referenced run, which floodgate run has not)'],
    ['question=${}', '${} is not supported: a value is ${data.<column>} or a constant (${run.outputs...} needs a referenced run, which floodgate run has not)'],
    ['n=1.5', 'input "n" is int, expected an integer']
  ]
  for (const [pair, message] of cases) {
    assert.throws(() => parseMapping([pair], three), { name: 'UsageError', message: `--column-mapping ${pair}: ${message}`, details: { flag: '--column-mapping' } }, pair)
  }
  assert.throws(() => parseMapping(['x=1'], []), { message: '--column-mapping x=1: the flow has no input "x" (inputs: none)' })
})

test('each input takes its mapping, else its default (left to the flow), else the same-name column; JSON values as they are', () => {
  const data = jsonl([{ q: 'one', n: 1, tone: 'loud' }, { q: 'two', n: '2', tone: 'soft' }])
  const lines = new LineInputs(three, parseMapping(['question=${data.q}'], three), data)
  // tone has a default, which wins over its column; n has none and comes from its column, unconverted.
  assert.deepEqual(lines.of(0), { question: 'one', n: 1 })
  assert.deepEqual(lines.of(1), { question: 'two', n: '2' })
  const constant = new LineInputs(three, parseMapping(['question=why', 'tone=${data.tone}', 'n=${data.n}'], three), data)
  assert.deepEqual(constant.of(1), { question: 'why', n: '2', tone: 'soft' })
})

test('CSV cells are converted by the input\'s type; a string input keeps its text as it is', () => {
  const data: DataSet = { file: '/d.csv', shown: 'd.csv', kind: 'csv', rows: [{ question: ' 7 ', n: ' 7 ' }], fileLines: [2], columns: ['question', 'n'] }
  assert.deepEqual(new LineInputs(three, new Map(), data).of(0), { question: ' 7 ', n: 7 })
})

test('an input with no value, a mapped column the data lacks, and a line without its column: each named', () => {
  const data = jsonl([{ question: 'one', n: 1 }, { n: 2 }])
  assert.throws(() => new LineInputs(three, new Map(), jsonl([{ q: 'one' }])), {
    name: 'UsageError',
    message: 'input "question" has no value: it has no default, d.jsonl has no column "question" (columns: q), and no --column-mapping question=\'${data.<column>}\' names one',
    details: { flag: '--column-mapping', input: 'question' }
  })
  assert.throws(() => new LineInputs(three, parseMapping(['n=${data.count}'], three), data), {
    name: 'UsageError',
    message: '--column-mapping n=${data.count}: d.jsonl has no column "count" (columns: question, n)',
    details: { flag: '--column-mapping', input: 'n' }
  })
  assert.throws(() => new LineInputs(three, new Map(), jsonl([])), { message: /d\.jsonl has no column "question" \(columns: none\)/ })
  const lines = new LineInputs(three, new Map(), data)
  assert.deepEqual(lines.of(0), { question: 'one', n: 1 })
  assert.throws(() => lines.of(1), { name: 'InputError', message: 'line 1 (d.jsonl line 2): no column "question" for input "question"', details: { input: 'question' } })
})
