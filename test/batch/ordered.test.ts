// test:concurrent
// outputs.jsonl and errors.jsonl in input order while lines finish in any order (src/batch/ordered.ts).
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { OrderedWriter, type LineRecord } from '../../src/batch/ordered.js'

async function folder(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'floodgate-ordered-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return dir
}

const ok = (line: number): LineRecord => ({ output: `{"line_number":${line}}` })
const failed = (line: number): LineRecord => ({ output: `{"line_number":${line}}`, error: `{"line_number":${line},"message":"no"}` })
const lines = async (dir: string, name: string): Promise<number[]> =>
  (await readFile(join(dir, name), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l).line_number)

test('lines finished in any order are written in input order; only failed lines in errors.jsonl; no partial file left', async (t) => {
  const dir = await folder(t)
  const writer = new OrderedWriter(dir, 5, new Map())
  for (const [line, record] of [[3, ok(3)], [1, failed(1)], [4, ok(4)], [0, ok(0)], [2, failed(2)]] as const) writer.put(line, record)
  await writer.close()
  assert.deepEqual(await lines(dir, 'outputs.jsonl'), [0, 1, 2, 3, 4])
  assert.deepEqual(await lines(dir, 'errors.jsonl'), [1, 2])
  assert.deepEqual((await readdir(dir)).sort(), ['errors.jsonl', 'outputs.jsonl'])
})

test("a resumed run: an earlier session's lines keep their place (those past the data's end are dropped), the new ones fill the gaps", async (t) => {
  const dir = await folder(t)
  const writer = new OrderedWriter(dir, 4, new Map([[0, ok(0)], [2, failed(2)], [4, ok(4)], [7, ok(7)]]))
  writer.put(3, ok(3))
  writer.put(1, ok(1))
  await writer.close()
  assert.deepEqual(await lines(dir, 'outputs.jsonl'), [0, 1, 2, 3])
  assert.deepEqual(await lines(dir, 'errors.jsonl'), [2])
})

test('an interrupted run: the finished lines after a gap are written too, in order, each once', async (t) => {
  const dir = await folder(t)
  const writer = new OrderedWriter(dir, 6, new Map())
  writer.put(4, failed(4))
  writer.put(0, ok(0))
  writer.put(2, ok(2))
  writer.put(1, ok(1))
  await writer.close()
  assert.deepEqual(await lines(dir, 'outputs.jsonl'), [0, 1, 2, 4])
  assert.deepEqual(await lines(dir, 'errors.jsonl'), [4])
})

test('a line is written as soon as every line before it is: the partial file grows while the run goes on', async (t) => {
  const dir = await folder(t)
  // The write stream opens its file a moment after it is made.
  const partial = (): Promise<number[]> => lines(dir, 'outputs.jsonl.partial').catch(() => [])
  const until = async (expected: number[]): Promise<void> => {
    for (let i = 0; i < 100 && (await partial()).length < expected.length; i++) await new Promise((done) => setTimeout(done, 10))
    assert.deepEqual(await partial(), expected)
  }
  const writer = new OrderedWriter(dir, 5, new Map([[0, ok(0)]]))
  await until([0])
  writer.put(1, ok(1))
  await until([0, 1])
  writer.put(3, ok(3))
  await new Promise((done) => setTimeout(done, 100))
  assert.deepEqual(await partial(), [0, 1], 'line 3 waits for line 2')
  writer.put(2, ok(2))
  await until([0, 1, 2, 3])
  writer.put(4, ok(4))
  await writer.close()
  assert.deepEqual(await lines(dir, 'outputs.jsonl'), [0, 1, 2, 3, 4])
})
