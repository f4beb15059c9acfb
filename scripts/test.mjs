// Runs every test/**/*.test.ts with node:test, TypeScript loaded by tsx. Node 20's --test takes no globs,
// so the files are listed here. Pass folders or files to run a subset: node scripts/test.mjs test/load
//
// Two phases. First the files marked with a line `// test:concurrent`, two at a time: such a file only
// computes (it starts no process, thread, server or socket, and neither sleeps nor times anything), so a
// neighbour on the other core changes nothing it asserts. Then every other file, one at a time: the
// timing of loopback servers, CLI processes and load runs must not share the machine with another file.
// A file without the mark runs alone, so a new one is on the safe side until it is marked.
// Each phase is a run of its own with its own summary: a --test-reporter-destination file is written by
// each in turn and keeps the last one's report; stdout (`npm test > file`) keeps both.
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, statSync } from 'node:fs'
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
const concurrent = files.filter((file) => /^\/\/ test:concurrent$/m.test(readFileSync(file, 'utf8')))
const phases = [[concurrent, 2], [files.filter((file) => !concurrent.includes(file)), 1]]
let status = 0
for (const [phase, concurrency] of phases) {
  if (phase.length === 0) continue
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=180000', ...flags, ...phase],
    { stdio: 'inherit' }
  )
  status ||= result.status ?? 1
}
process.exit(status)
