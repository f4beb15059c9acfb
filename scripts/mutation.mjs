// `npm run test:mutation [module ...]`: StrykerJS once per module of stryker.config.mjs, each module's
// mutants against its own test files, then one table of mutation scores (Stryker's definition:
// killed + timed out over all valid mutants, mutants no test reached counting as survivors).
// Writes reports/mutation/<module>/mutation.{html,json} and reports/mutation/summary.md (every module
// run so far, so one module can be re-run alone).
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { modules } from '../stryker.config.mjs'

const TARGET = 80
const asked = process.argv.slice(2)
const unknown = asked.filter((name) => !(name in modules))
if (unknown.length) {
  console.error(`unknown module(s): ${unknown.join(', ')}; modules: ${Object.keys(modules).join(', ')}`)
  process.exit(2)
}
const names = asked.length ? asked : Object.keys(modules)

function countStatuses(report) {
  const counts = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, other: 0 }
  for (const file of Object.values(report.files)) {
    for (const mutant of file.mutants) {
      if (mutant.status in counts) counts[mutant.status]++
      else counts.other++ // CompileError, RuntimeError, Ignored: not valid mutants
    }
  }
  return counts
}

for (const name of names) {
  const started = Date.now()
  console.log(`\n== ${name}: ${modules[name].mutate.join(', ')}`)
  const run = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs'], {
    stdio: 'inherit',
    env: { ...process.env, FLOODGATE_MUTATION_MODULE: name }
  })
  const minutes = (Date.now() - started) / 60_000
  mkdirSync(`reports/mutation/${name}`, { recursive: true })
  writeFileSync(`reports/mutation/${name}/run.json`, JSON.stringify({ minutes, status: run.status, finishedAt: new Date().toISOString() }))
}

// The table covers every module with a report, this run's and earlier ones' (a module can be re-run alone).
const rows = []
for (const name of Object.keys(modules)) {
  let run
  try {
    run = JSON.parse(readFileSync(`reports/mutation/${name}/run.json`, 'utf8'))
  } catch {
    continue // never run
  }
  if (run.status !== 0) {
    rows.push({ name, error: `stryker exited ${run.status}`, minutes: run.minutes })
    continue
  }
  const report = JSON.parse(readFileSync(`reports/mutation/${name}/mutation.json`, 'utf8'))
  const c = countStatuses(report)
  const valid = c.Killed + c.Timeout + c.Survived + c.NoCoverage
  rows.push({ name, ...c, score: valid ? ((c.Killed + c.Timeout) / valid) * 100 : 100, minutes: run.minutes })
}

const lines = [
  '| module | files | mutants | killed | timeout | survived | no coverage | score | time |',
  '|---|---|---:|---:|---:|---:|---:|---:|---:|'
]
for (const r of rows) {
  const files = modules[r.name].mutate.map((f) => f.replace(/^src\//, '')).join(', ')
  if (r.error) lines.push(`| ${r.name} | ${files} | | | | | | ${r.error} | ${r.minutes.toFixed(1)} min |`)
  else lines.push(`| ${r.name} | ${files} | ${r.Killed + r.Timeout + r.Survived + r.NoCoverage} | ${r.Killed} | ${r.Timeout} | ${r.Survived} | ${r.NoCoverage} | ${r.score.toFixed(1)}% | ${r.minutes.toFixed(1)} min |`)
}
const table = lines.join('\n')
console.log(`\n${table}`)
mkdirSync('reports/mutation', { recursive: true })
writeFileSync('reports/mutation/summary.md', `${table}\n`)
const below = rows.filter((r) => r.error || r.score < TARGET)
if (below.length) {
  console.error(`\nbelow the ${TARGET}% target: ${below.map((r) => r.name).join(', ')}`)
  process.exit(1)
}
