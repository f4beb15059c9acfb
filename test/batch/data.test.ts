// test:concurrent
// A batch run's data file read on its own (src/batch/data.ts): the rows of JSON Lines and CSV files, the
// file line each came from, the columns, and every file that cannot be data named with its line.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { readData } from '../../src/batch/data.js'

async function files(t: TestContext, contents: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'floodgate-data-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  for (const [name, text] of Object.entries(contents)) await writeFile(join(dir, name), text)
  return dir
}

test('JSON Lines: one object a line, blank lines skipped, each row with its file line; columns in order of first appearance', async (t) => {
  const dir = await files(t, { 'd.jsonl': '{"q": "one", "n": 1}\n\n  \r\n  {"n": 2, "extra": true}  \r\n{"q": "three"}' })
  const data = await readData(join(dir, 'd.jsonl'))
  assert.equal(data.kind, 'jsonl')
  assert.equal(data.file, join(dir, 'd.jsonl'))
  assert.deepEqual(data.rows, [{ q: 'one', n: 1 }, { n: 2, extra: true }, { q: 'three' }])
  assert.deepEqual(data.fileLines, [1, 4, 5])
  assert.deepEqual(data.columns, ['q', 'n', 'extra'])
})

test('CSV: a header, then rows of text; quoted commas and line breaks, a byte order mark, blank lines; the line each row ends on', async (t) => {
  const dir = await files(t, { 'd.CSV': '\ufeffq,n\none,1\n\n"two, with a comma",2\n"three\nlines\nlong",3\n' })
  const data = await readData(join(dir, 'd.CSV'))
  assert.equal(data.kind, 'csv')
  assert.deepEqual(data.rows, [{ q: 'one', n: '1' }, { q: 'two, with a comma', n: '2' }, { q: 'three\nlines\nlong', n: '3' }])
  assert.deepEqual(data.fileLines, [2, 4, 7])
  assert.deepEqual(data.columns, ['q', 'n'])
})

test('a file is named as the user can find it: relative to the working folder inside it, absolute outside', async (t) => {
  const dir = await files(t, { 'd.jsonl': '{}\n', 'x.txt': '' })
  const inside = join(process.cwd(), 'node_modules', '.floodgate-data-test.jsonl')
  await mkdir(join(process.cwd(), 'node_modules'), { recursive: true })
  await writeFile(inside, '{"a": 1}\n')
  t.after(() => rm(inside, { force: true }))
  assert.equal((await readData(inside)).shown, relative(process.cwd(), inside))
  assert.equal((await readData(join(dir, 'd.jsonl'))).shown, join(dir, 'd.jsonl'))
  await assert.rejects(readData(join(dir, 'x.txt')), { message: `--data ${join(dir, 'x.txt')}: expected a .jsonl or .csv file, got ".txt"` })
})

test('what cannot be data: a usage error naming --data, the file and the line', async (t) => {
  const dir = await files(t, {
    'bad.jsonl': '{"q": 1}\n\n{"q": 2,\n',
    'null.jsonl': 'null\n',
    'list.jsonl': '[1]\n',
    'number.jsonl': '{"q": 1}\n12\n',
    'text.jsonl': '"q"\n',
    'empty.jsonl': '\n  \n',
    'header.csv': 'q,n\n',
    'short.csv': 'q,n\none,1\ntwo\n',
    'long.csv': `q,n\n${'x,1\n'.repeat(10)}y\n`,
    'quote.csv': 'q\n"open\n',
    'noext': '{}\n'
  })
  await mkdir(join(dir, 'folder.jsonl'))
  const cases: Array<[string, string, number | null]> = [
    ['bad.jsonl', 'line 3: not valid JSON (Expected double-quoted property name in JSON at position 8)', 3],
    ['null.jsonl', 'line 1: expected a JSON object of column name to value, got null', 1],
    ['list.jsonl', 'line 1: expected a JSON object of column name to value, got a list', 1],
    ['number.jsonl', 'line 2: expected a JSON object of column name to value, got a number', 2],
    ['text.jsonl', 'line 1: expected a JSON object of column name to value, got a string', 1],
    ['empty.jsonl', ': no data lines', null],
    ['header.csv', ': no data rows below the header', null],
    ['short.csv', 'line 3: Invalid Record Length: columns length is 2, got 1', 3],
    ['long.csv', 'line 12: Invalid Record Length: columns length is 2, got 1', 12],
    ['quote.csv', 'line 2: Quote Not Closed: the parsing is finished with an opening quote', 2],
    ['noext', ': expected a .jsonl or .csv file, got "no extension"', null],
    ['missing.jsonl', ': file not found', null],
    ['folder.jsonl', ': is a folder, not a file', null]
  ]
  for (const [name, message, line] of cases) {
    const file = join(dir, name)
    await assert.rejects(readData(file), { name: 'UsageError', message: `--data ${file} ${message}`.replace(`${file} :`, `${file}:`), details: { flag: '--data', file, line } }, name)
  }
})
