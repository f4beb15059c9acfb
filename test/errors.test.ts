// docs/errors.md lists every error code a user can meet, checked here against src/errors.ts (each class's
// code, category, HTTP status and exit code) and against the codes the server writes itself, as fastify
// checks its documented codes: a new code, or a changed status, fails until the page says so.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import * as errors from '../src/errors.js'
import { repoRoot } from './helpers/cli.js'

const page = readFileSync(join(repoRoot, 'docs', 'errors.md'), 'utf8')

/** The rows of the markdown table under `heading`, as arrays of cells (backticks dropped). */
function tableUnder(heading: string): string[][] {
  const section = page.split(/^## /m).find((s) => s.startsWith(heading))
  assert.ok(section, `docs/errors.md has a section "${heading}"`)
  return section.split('\n').filter((line) => line.startsWith('| `'))
    .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim().replace(/`/g, '')))
}

type ErrorClass = new (...args: never[]) => errors.FloodgateError
const classes = (Object.entries(errors) as Array<[string, unknown]>).filter(
  (entry): entry is [string, ErrorClass] =>
    typeof entry[1] === 'function' && (entry[1] === errors.FloodgateError || entry[1].prototype instanceof errors.FloodgateError)
)

function instance(name: string, Class: ErrorClass): errors.FloodgateError {
  const make = Class as unknown as new (...args: unknown[]) => errors.FloodgateError
  return name === 'HttpRequestError' ? new make(400, 'example') : new make('example')
}

test('every error class of src/errors.ts has its row in docs/errors.md: code, class, category, HTTP status, exit code', () => {
  const rows = tableUnder('Codes of `src/errors.ts`')
  assert.ok(classes.length >= 15, `found ${classes.length} error classes`)
  for (const [name, Class] of classes) {
    const err = instance(name, Class)
    const row = rows.find((r) => r[0] === err.code)
    assert.ok(row, `docs/errors.md: no row for ${err.code} (${name})`)
    const [, className, category, statuses, exitCode, example] = row
    assert.equal(className, name, `${err.code}: class`)
    assert.equal(category, err.category, `${err.code}: category`)
    assert.ok(statuses!.split(', ').includes(String(err.httpStatus)), `${err.code}: HTTP status ${err.httpStatus} not in "${statuses}"`)
    assert.equal(Number(exitCode), errors.exitCodeOf(err), `${err.code}: exit code`)
    assert.ok(example!.length > 10, `${err.code}: an example message`)
  }
  assert.deepEqual(rows.map((r) => r[1]).sort(), classes.map(([name]) => name).sort(), 'no row for a class that does not exist')
})

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [])
}

test('every code the server writes outside the classes (connection refusals, parser errors, fastify\'s) is in docs/errors.md', () => {
  const rows = tableUnder('Codes the server writes')
  const written = new Set<string>()
  for (const file of sourceFiles(join(repoRoot, 'src', 'serve'))) {
    const text = readFileSync(file, 'utf8')
    for (const m of text.matchAll(/\bcode: '([A-Z][A-Z_]+)'/g)) written.add(m[1]!)
    for (const m of text.matchAll(/case '(FST_ERR_[A-Z_]+)'/g)) written.add(m[1]!)
  }
  const classCodes = new Set(classes.map(([name, Class]) => instance(name, Class).code))
  const extra = [...written].filter((code) => !classCodes.has(code))
  assert.ok(extra.includes('TOO_MANY_CONNECTIONS') && extra.includes('INTERNAL'), extra.join(', '))
  for (const code of extra) assert.ok(rows.some((r) => r[0] === code), `docs/errors.md: no row for ${code}`)
})
