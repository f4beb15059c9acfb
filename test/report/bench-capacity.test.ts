// `floodgate bench --capacity` adds a "capacity within SLO" column to the comparison, read from each
// variant's capacity/<variant>/capacity.json; without searches the table is as before; a capacity.json
// that is not one is refused with the file and the field.
// test:concurrent
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeBenchReport } from '../../src/report/bench/report.js'
import { variantFiles, writeJson } from '../../src/report/bench/files.js'
import { writeSyntheticBench } from './helpers/synthetic.js'

function bench(t: { after: (f: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'fg-bench-capacity-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  writeSyntheticBench(dir)
  return dir
}

function writeCapacity(dir: string, variant: string, found: object): string {
  const path = variantFiles(dir, variant).capacity
  mkdirSync(join(path, '..'), { recursive: true })
  writeJson(path, { slo: ['p99<5000'], unit: 'users', saturated: 'pool', stop_reason: 'converged', ...found })
  return path
}

/** report.md's verdict table: variant -> column -> cell. */
function analysis(markdown: string): Map<string, Map<string, string>> {
  const lines = markdown.split('## Verdicts')[1]!.split('\n').filter((l) => l.startsWith('|'))
  const header = lines[0]!.split('|').slice(1, -1).map((c) => c.trim())
  return new Map(lines.slice(2).map((l) => {
    const cells = l.split('|').slice(1, -1).map((c) => c.trim())
    return [cells[0]!, new Map(header.map((h, i) => [h, cells[i]!]))]
  }))
}

test('the analysis table gains a "capacity within SLO" column from the variants\' searches', async (t) => {
  const dir = bench(t)
  writeCapacity(dir, 'static-sync', { capacity: { load: 300, achieved_rps: 50.15, at_least: false }, first_failing: { load: 315, broke: 'p99<5000' } })
  writeCapacity(dir, 'static-async', { capacity: null, first_failing: { load: 1, broke: 'p99<5000' }, stop_reason: 'lowest-failed' })
  const { markdown, html } = await writeBenchReport(dir)
  const table = analysis(readFileSync(markdown, 'utf8'))
  assert.equal(table.get('static-sync')!.get('Capacity within p99<5000'), '300 users (50.15 req/s)')
  assert.equal(table.get('static-async')!.get('Capacity within p99<5000'), 'none: 1 user broke p99<5000')
  assert.match(readFileSync(html, 'utf8'), /<th>Capacity within p99&lt;5000<\/th>/)
  // The summary that opens the report says it too, after the variant's sentence.
  const summary = readFileSync(markdown, 'utf8').split('## Summary')[1]!.split('\n## ')[0]!
  assert.match(summary, /^- static-sync .*\. Capacity within p99<5000: 300 users \(50\.15 req\/s\)\.$/m)
  assert.match(summary, /^- static-async .*\. Capacity within p99<5000: none: 1 user broke p99<5000\.$/m)

  writeCapacity(dir, 'static-async', { capacity: { load: 3, achieved_rps: 2.5, at_least: true }, first_failing: null, stop_reason: 'upper-bound' })
  const again = analysis(readFileSync((await writeBenchReport(dir)).markdown, 'utf8'))
  assert.equal(again.get('static-async')!.get('Capacity within p99<5000'), 'at least 3 users (2.50 req/s)')
})

test('without capacity searches the table has no capacity column', async (t) => {
  const table = analysis(readFileSync((await writeBenchReport(bench(t))).markdown, 'utf8'))
  assert.deepEqual([...table.get('static-sync')!.keys()].filter((h) => h.startsWith('Capacity')), [])
})

test('a capacity.json without its findings is refused naming the file and the field', async (t) => {
  const dir = bench(t)
  const path = writeCapacity(dir, 'static-sync', { capacity: { load: '300', achieved_rps: 50, at_least: false }, first_failing: null })
  await assert.rejects(writeBenchReport(dir), { message: `${path}: cannot read the bench results: field "capacity.load" must be a number, got string` })
  writeCapacity(dir, 'static-sync', { capacity: null, first_failing: null, slo: 'p99<5000' })
  await assert.rejects(writeBenchReport(dir), { message: `${path}: cannot read the bench results: field "slo" must be an array, got string` })
})
