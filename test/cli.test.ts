import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot, runCli } from './helpers/cli.js'

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }

test('floodgate --version prints the package version', async () => {
  const r = await runCli(['--version'])
  assert.equal(r.code, 0)
  assert.equal(r.stdout.trim(), pkg.version)
})

test('an unknown command exits 2 with a usage message', async () => {
  const r = await runCli(['frobnicate'])
  assert.equal(r.code, 2)
  assert.match(r.stderr, /unknown command 'frobnicate'/)
})

test('the built binary (bin/floodgate.js over dist/) runs', { skip: !existsSync(join(repoRoot, 'dist/cli/main.js')) }, () => {
  const out = execFileSync(process.execPath, [join(repoRoot, 'bin/floodgate.js'), '--version'], { encoding: 'utf8' })
  assert.equal(out.trim(), pkg.version)
})
