// `npm run test:mutation` does not run in CI (it takes long), so its configuration is checked here: the
// config Stryker reads, for every module, is valid against Stryker's own schema, names files that exist,
// and gives each module test files that `npm test` runs too.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createRequire } from 'node:module'
import { Ajv } from 'ajv'
import { repoRoot } from './helpers/cli.js'

const require = createRequire(import.meta.url)
// The schema Stryker validates options with (its package exports only package.json besides the code).
const schemaFile = join(dirname(require.resolve('@stryker-mutator/core/package.json')), 'schema', 'stryker-schema.json')
const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as { properties: Record<string, unknown> }
const configUrl = new URL('../stryker.config.mjs', import.meta.url)

interface Config {
  mutate: string[]
  tap: { testFiles: string[] }
  [key: string]: unknown
}

/** The config as Stryker sees it with FLOODGATE_MUTATION_MODULE set to `name` (undefined: all modules). */
async function configFor(name: string | undefined): Promise<Config> {
  const saved = process.env.FLOODGATE_MUTATION_MODULE
  if (name === undefined) delete process.env.FLOODGATE_MUTATION_MODULE
  else process.env.FLOODGATE_MUTATION_MODULE = name
  try {
    // A fresh copy of the module each time: the config is computed when it loads.
    return ((await import(`${configUrl.href}?module=${name ?? 'all'}`)) as { default: Config }).default
  } finally {
    if (saved === undefined) delete process.env.FLOODGATE_MUTATION_MODULE
    else process.env.FLOODGATE_MUTATION_MODULE = saved
  }
}

test('stryker.config.mjs is valid for Stryker, per module and whole', async () => {
  const { modules } = (await import(configUrl.href)) as { modules: Record<string, { mutate: string[]; tests: string[] }> }
  const validate = new Ajv({ strict: false, allErrors: true }).compile(schema)
  const names = Object.keys(modules)
  assert.ok(names.length >= 8, names.join(', '))
  for (const name of [...names, undefined]) {
    const config = await configFor(name)
    assert.ok(validate(config), `${name ?? 'all'}: ${JSON.stringify(validate.errors)}`)
    const unknown = Object.keys(config).filter((key) => !(key in schema.properties))
    assert.deepEqual(unknown, [], `${name ?? 'all'}: options Stryker does not know`)
    assert.equal(config.concurrency, 1)
    assert.equal(config.testRunner, 'tap')
    const expected = name === undefined ? Object.values(modules) : [modules[name]!]
    assert.deepEqual(config.mutate, expected.flatMap((m) => m.mutate))
    assert.deepEqual(config.tap.testFiles, [...new Set(expected.flatMap((m) => m.tests))])
  }
  await assert.rejects(configFor('nope'), /FLOODGATE_MUTATION_MODULE: no module "nope"/)
})

test('every mutated file and every test file of the mutation modules exists; the tests are in npm test', async () => {
  const { modules } = (await import(configUrl.href)) as { modules: Record<string, { mutate: string[]; tests: string[] }> }
  for (const [name, m] of Object.entries(modules)) {
    assert.ok(m.mutate.length > 0 && m.tests.length > 0, name)
    for (const file of m.mutate) assert.ok(file.startsWith('src/') && existsSync(new URL(file, `file://${repoRoot}`)), `${name}: ${file}`)
    for (const file of m.tests) assert.ok(/^test\/.+\.test\.ts$/.test(file) && existsSync(new URL(file, `file://${repoRoot}`)), `${name}: ${file}`)
  }
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }
  assert.match(pkg.scripts['test:mutation']!, /^nice -n 19 node scripts\/mutation\.mjs$/)
  assert.doesNotMatch(pkg.scripts.test!, /mutation|stryker/, 'not part of npm test')
})
