// Batch runs through the CLI, as a user runs them: `floodgate run <flow> --data ... --column-mapping ...`.
// The flow's tool sleeps as long as its line says, so lines finish out of order and the files must put
// them back in input order.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eachCase, runCli, spawnCli } from '../helpers/cli.js'
import { exited } from '../serve/cli-helpers.js'
import type { Summary } from '../../src/batch/index.js'

const FLOW = `inputs:
  question: {type: string}
  ms: {type: int, default: 0}
  tone: {type: string, default: calm}
outputs:
  answer: {type: string, reference: "\${echo.output.text}"}
  ms: {type: int, reference: "\${echo.output.ms}"}
nodes:
- {name: echo, type: typescript, source: {type: code, path: echo.ts}, inputs: {q: "\${inputs.question}", ms: "\${inputs.ms}", tone: "\${inputs.tone}"}}
`
// Sleeps ms (1 ms when FAST is set: a resumed run), fails on "boom", and notes each run in ran.txt.
const TOOL = `import { appendFileSync } from 'node:fs'
import { sleep } from 'floodgate/tools'
export default async function echo({ q, ms, tone }: { q: string; ms: number; tone: string }, { signal }: { signal: AbortSignal }) {
  appendFileSync(new URL('./ran.txt', import.meta.url), q + '\\n')
  await sleep(process.env.FAST ? 1 : ms, signal)
  if (q === 'boom') throw new Error('asked to fail')
  return { text: tone + ': ' + q, ms }
}
`

async function folder(t: TestContext, files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'floodgate-batch-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  for (const [name, text] of Object.entries({ 'flow.dag.yaml': FLOW, 'echo.ts': TOOL, ...files })) await writeFile(join(dir, name), text)
  return dir
}

function jsonl(file: string): Array<Record<string, unknown>> {
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)
}

function summaryOf(out: string): Summary {
  return JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary
}

test('JSONL: column mapping, defaults before same-name columns, outputs in input order with line_number, a failing line in errors.jsonl', async (t) => {
  // Lines finish in reverse order (the first sleeps longest); line 2 fails.
  const data = ['{"q": "one", "ms": 300, "tone": "ignored: tone has a default"}', '{"q": "two", "ms": 200}', '', '{"q": "boom", "ms": 100}', '{"q": "four", "ms": 1}'].join('\n')
  const dir = await folder(t, { 'data.jsonl': `${data}\n` })
  const out = join(dir, 'runs', 'first')
  const r = await runCli(['run', dir, '--data', join(dir, 'data.jsonl'), '--column-mapping', 'question=${data.q}', 'ms=${data.ms}', '--concurrency', '4', '--out', out])
  assert.equal(r.code, 1, r.stderr) // a line failed
  assert.deepEqual(jsonl(join(out, 'outputs.jsonl')), [
    { line_number: 0, answer: 'calm: one', ms: 300 },
    { line_number: 1, answer: 'calm: two', ms: 200 },
    { line_number: 2 },
    { line_number: 3, answer: 'calm: four', ms: 1 }
  ])
  assert.deepEqual(jsonl(join(out, 'errors.jsonl')), [{ line_number: 2, node: 'echo', message: 'node "echo" failed: asked to fail', code: 'TOOL_FAILED' }])
  const s = summaryOf(out)
  assert.equal(s.status, 'completed')
  assert.deepEqual(s.lines, { total: 4, succeeded: 3, failed: 1, notRun: 0 })
  assert.equal(s.durationsMs.line.count, 3)
  // A Node timer counts from the event loop's cached time, which can precede the line's start by a few ms
  // on a busy machine: a 200 ms sleep measured 199.9 ms once in CI. 10 ms of slack, not the sleep's length.
  assert.ok(s.durationsMs.line.maxMs! >= 290 && s.durationsMs.line.p50! >= 190, JSON.stringify(s.durationsMs.line))
  assert.equal(s.durationsMs.nodes.echo!.count, 3)
  assert.equal(s.tokens, null)
  assert.match(r.stdout, /floodgate run: done: 3 of 4 lines succeeded, 1 failed \(/)
  assert.match(r.stdout, /^echo +3 +[\d.,]+/m)
  // Ran with every line at once: the four lines took about as long as the longest.
  assert.ok(s.durationSec < 1.5, `${s.durationSec} s`)
})

test('CSV: cells converted by the inputs\' types, a constant mapping, a cell of the wrong type fails its line', async (t) => {
  const dir = await folder(t, { 'data.csv': 'question,ms\none,20\n"two, with a comma",10\nthree,soon\n' })
  const out = join(dir, 'runs', 'csv')
  const r = await runCli(['run', dir, '--data', join(dir, 'data.csv'), '--column-mapping', 'ms=${data.ms}', 'tone=loud', '--out', out])
  assert.equal(r.code, 1, r.stderr)
  assert.deepEqual(jsonl(join(out, 'outputs.jsonl')), [
    { line_number: 0, answer: 'loud: one', ms: 20 },
    { line_number: 1, answer: 'loud: two, with a comma', ms: 10 },
    { line_number: 2 }
  ])
  const [err] = jsonl(join(out, 'errors.jsonl'))
  assert.equal(err!.message, `line 2 (${join(dir, 'data.csv')} line 4): column "ms" is "soon", but input "ms" is int, expected an integer`)
})

test('bad data files name the line; a mapping naming a missing column says which', async (t) => {
  const dir = await folder(t, {
    'bad.jsonl': '{"q": "one"}\n{"q": "two",\n',
    'list.jsonl': '{"q": "one"}\n\n["q"]\n',
    'bad.csv': 'q,ms\none,1\ntwo\n',
    'data.jsonl': '{"q": "one"}\n{"question": "two"}\n',
    'data.txt': 'q\n'
  })
  const cases: Array<[string[], string]> = [
    [['--data', 'bad.jsonl', '--column-mapping', 'question=${data.q}'], 'floodgate: --data bad.jsonl line 2: not valid JSON (Expected double-quoted property name in JSON at position 12)'],
    [['--data', 'list.jsonl', '--column-mapping', 'question=${data.q}'], 'floodgate: --data list.jsonl line 3: expected a JSON object of column name to value, got a list'],
    [['--data', 'bad.csv', '--column-mapping', 'question=${data.q}'], 'floodgate: --data bad.csv line 3: Invalid Record Length: columns length is 2, got 1'],
    [['--data', 'data.txt'], 'floodgate: --data data.txt: expected a .jsonl or .csv file, got ".txt"'],
    [['--data', 'missing.jsonl'], 'floodgate: --data missing.jsonl: file not found'],
    [['--data', 'data.jsonl', '--column-mapping', 'question=${data.text}'], 'floodgate: --column-mapping question=${data.text}: data.jsonl has no column "text" (columns: q, question)'],
    [['--data', 'data.jsonl', '--column-mapping', 'query=${data.q}'], 'floodgate: --column-mapping query=${data.q}: the flow has no input "query" (inputs: question, ms, tone)'],
    [['--data', 'data.jsonl', '--column-mapping', 'question=${run.outputs.answer}'], 'floodgate: --column-mapping question=${run.outputs.answer}: ${run.outputs.answer} is not supported: a value is ${data.<column>} or a constant (${run.outputs...} needs a referenced run, which floodgate run has not)'],
    [['--data', 'data.jsonl', '--column-mapping', 'ms=fast'], 'floodgate: --column-mapping ms=fast: input "ms" is int, expected an integer']
  ]
  await eachCase(cases, async ([args, expected]) => {
    const r = await runCli(['run', '.', ...args, '--out', join(dir, 'runs', 'x')], { cwd: dir })
    assert.equal(r.stderr.trim(), expected)
    assert.equal(r.code, 2)
  })
  // No mapping, no default, but a same-name column in some lines: those lines run, the others fail naming the input.
  const r = await runCli(['run', '.', '--data', 'data.jsonl', '--out', 'runs/same-name'], { cwd: dir })
  assert.equal(r.code, 1, r.stderr)
  assert.deepEqual(jsonl(join(dir, 'runs/same-name/outputs.jsonl')), [{ line_number: 0 }, { line_number: 1, answer: 'calm: two', ms: 0 }])
  assert.equal(jsonl(join(dir, 'runs/same-name/errors.jsonl'))[0]!.message, 'line 0 (data.jsonl line 1): no column "question" for input "question"')
})

test('Ctrl-C keeps the finished lines and writes the summary as interrupted; --resume runs only the lines without output', async (t) => {
  // Two quick lines, then slow ones (each 20 s) that only a resumed run (FAST) gets through.
  const lines = [['a', 1], ['b', 1], ['c', 20_000], ['d', 20_000], ['e', 1], ['f', 1]]
  const dir = await folder(t, { 'data.jsonl': lines.map(([q, ms]) => JSON.stringify({ question: q, ms })).join('\n') })
  const out = join(dir, 'runs', 'r')
  const child = spawnCli(['run', dir, '--data', join(dir, 'data.jsonl'), '--column-mapping', 'ms=${data.ms}', '--concurrency', '2', '--out', out])
  let stdout = ''
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()))
  t.after(() => child.kill('SIGKILL'))
  const ran = join(dir, 'ran.txt')
  const deadline = Date.now() + 30_000
  while (!(existsSync(ran) && readFileSync(ran, 'utf8').includes('d\n'))) {
    assert.ok(Date.now() < deadline, 'the slow lines never started')
    await new Promise((r) => setTimeout(r, 50))
  }
  const stoppedAt = Date.now()
  child.kill('SIGINT')
  const { code } = await exited(child)
  assert.equal(code, 130)
  assert.ok(Date.now() - stoppedAt < 5000, 'Ctrl-C ended the run without waiting for the slow lines')
  assert.deepEqual(jsonl(join(out, 'outputs.jsonl')), [{ line_number: 0, answer: 'calm: a', ms: 1 }, { line_number: 1, answer: 'calm: b', ms: 1 }])
  assert.deepEqual(jsonl(join(out, 'errors.jsonl')), [])
  const s = summaryOf(out)
  assert.equal(s.status, 'interrupted')
  assert.deepEqual(s.lines, { total: 6, succeeded: 2, failed: 0, notRun: 4 })
  assert.match(stdout, /floodgate run: interrupted: 2 of 6 lines succeeded, 0 failed, 4 not run/)
  assert.match(stdout, /run the rest: floodgate run .+ --resume .+/)

  const resumed = await runCli(['run', dir, '--resume', out], { env: { FAST: '1' } })
  assert.equal(resumed.code, 0, resumed.stderr)
  assert.deepEqual(jsonl(join(out, 'outputs.jsonl')).map((r) => [r.line_number, r.answer]), lines.map(([q], i) => [i, `calm: ${q}`]))
  const again = summaryOf(out)
  assert.equal(again.status, 'completed')
  assert.equal(again.sessions, 2)
  assert.deepEqual(again.lines, { total: 6, succeeded: 6, failed: 0, notRun: 0 })
  assert.equal(again.durationsMs.line.count, 6, 'the percentiles cover both sessions')
  // a and b ran once; c and d were abandoned and ran again.
  assert.deepEqual(readFileSync(ran, 'utf8').trim().split('\n').sort(), ['a', 'b', 'c', 'c', 'd', 'd', 'e', 'f'])
  assert.ok(!existsSync(join(out, 'outputs.jsonl.partial')))

  const bad = await runCli(['run', dir, '--resume', join(dir, 'runs')])
  assert.equal(bad.stderr.trim(), `floodgate: --resume ${join(dir, 'runs')}: no summary.json there (not a folder written by floodgate run --data)`)
  assert.equal(bad.code, 2)
})
