// Runs every test/**/*.test.ts with node:test, TypeScript loaded by tsx. Node 20's --test takes no globs,
// so the files are listed here. Pass folders or files to run a subset: node scripts/test.mjs test/load
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

function collect(path, out) {
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path).sort()) {
      if (entry === 'node_modules' || entry === 'fixtures' || entry === 'helpers') continue
      collect(join(path, entry), out)
    }
  } else if (path.endsWith('.test.ts')) {
    out.push(path)
  }
  return out
}

const roots = process.argv.slice(2).filter((a) => !a.startsWith('-'))
const flags = process.argv.slice(2).filter((a) => a.startsWith('-'))
const files = (roots.length ? roots : ['test']).flatMap((root) => collect(root, []))
if (files.length === 0) {
  console.error('no test files found')
  process.exit(1)
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-timeout=180000', ...flags, ...files],
  { stdio: 'inherit' }
)
process.exit(result.status ?? 1)
