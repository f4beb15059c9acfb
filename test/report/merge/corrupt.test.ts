// Result files corrupted field by field: `floodgate merge` and `floodgate report` answer with one line
// naming the file and the field, exit 2 (a bad input, src/errors.ts), and no stack trace.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from '../../helpers/cli.js'
import { writeSyntheticBench } from '../helpers/synthetic.js'
import { runMerge } from './helpers/cli.js'

type Json = Record<string, unknown>
const CORRUPTIONS: Array<{ field: string; corrupt: (r: Json) => void; says: string }> = [
  { field: 'histograms.Aggregated', corrupt: (r) => ((r.histograms as Json).Aggregated = 'HISTFAAAAC='), says: 'is not an encoded HDR histogram (Invalid string. Length must be a multiple of 4)' },
  { field: 'histograms.Aggregated', corrupt: (r) => ((r.histograms as Json).Aggregated = 12), says: 'must be an encoded HDR histogram (a string), got number' },
  { field: 'history[2].histogram', corrupt: (r) => (((r.history as Json[])[2]).histogram = 'bm90IGEgaGlzdG9ncmFt'), says: 'is not an encoded HDR histogram' },
  { field: 'endpoints[0].requests', corrupt: (r) => (((r.endpoints as Json[])[0]).requests = '12'), says: 'must be a number, got string' },
  { field: 'statusCounts.200', corrupt: (r) => ((r.statusCounts as Json)['200'] = null), says: 'must be a number, got null' },
  { field: 'aggregated.percentiles', corrupt: (r) => delete (r.aggregated as Json).percentiles, says: 'must be an object, got undefined' }
]

test('floodgate merge of corrupt result files: one line naming the file and the field, exit 2, no stack', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-corrupt-merge-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  writeSyntheticBench(dir)
  const good = readFileSync(join(dir, 'static-async', 'result.json'), 'utf8')
  const files = CORRUPTIONS.map((c, i) => {
    const result = JSON.parse(good) as Json
    c.corrupt(result)
    const file = join(dir, `corrupt-${i}.json`)
    writeFileSync(file, JSON.stringify(result))
    return file
  })
  const runs = await Promise.all(files.map((file) => runMerge([file, '--out', join(dir, 'out')])))
  for (const [i, c] of CORRUPTIONS.entries()) {
    const [file, r] = [files[i], runs[i]]
    assert.equal(r.code, 2, r.stderr)
    assert.ok(r.stderr.startsWith(`floodgate: ${file}: field "${c.field}" ${c.says}`), r.stderr)
    assert.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`)
    assert.doesNotMatch(r.stderr, /\n\s+at /)
  }
})

test('floodgate report of a bench folder with a corrupt file: one line naming the file and the field, exit 2', async (t) => {
  const edit = (path: string, change: (value: Json) => void): void => {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Json
    change(value)
    writeFileSync(path, JSON.stringify(value))
  }
  const cases: Array<{ file: string; change: (value: Json) => void; expected: (file: string) => string }> = [
    { file: 'static-sync/result.json', change: (r) => ((r.histograms as Json).Aggregated = 'HISTFAAAAC='), expected: (f) => `floodgate: ${f}: field "histograms.Aggregated" is not an encoded HDR histogram (Invalid string. Length must be a multiple of 4)\n` },
    { file: 'static-sync/samples.json', change: (s) => (((s.processes as Json[])[0]).samples = 'none'), expected: (f) => `floodgate: ${f}: cannot read the bench results: field "processes[0].samples" must be an array, got string\n` },
    { file: 'static-sync/variant.json', change: (m) => ((m.load as Json).users = '500'), expected: (f) => `floodgate: ${f}: cannot read the bench results: field "load.users" must be a number, got string\n` }
  ]
  // One bench folder per case, each with one file damaged.
  const dirs = cases.map((c) => {
    const dir = mkdtempSync(join(tmpdir(), 'fg-corrupt-report-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    writeSyntheticBench(dir)
    edit(join(dir, c.file), c.change)
    return dir
  })
  const runs = await Promise.all(dirs.map((dir) => runCli(['report', dir])))
  cases.forEach((c, i) => {
    assert.equal(runs[i].code, 2, runs[i].stderr)
    assert.equal(runs[i].stderr, c.expected(join(dirs[i], c.file)))
  })
})
