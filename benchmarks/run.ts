// `npm run bench:perf`: runs each benchmarks/*.bench.ts in its own process, one after another (they
// would disturb each other's timings on two cores), and gathers their figures. A benchmark prints what
// it likes, plus one line `RESULT <json>` holding {name, metrics: [{metric, value, unit, target?, pass?}]}.
// Pass names to run a subset: npm run bench:perf -- executor mock
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'

interface Metric { metric: string; value: number; unit: string; target?: string; pass?: boolean }
interface BenchResult { name: string; metrics: Metric[] }

const dir = fileURLToPath(new URL('.', import.meta.url))
const only = process.argv.slice(2)
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort()

const results: BenchResult[] = []
let failed = 0
for (const file of files) {
  process.stdout.write(`\n=== ${file} ===\n`)
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(dir, file)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 15 * 60_000
  })
  process.stdout.write(r.stdout ?? '')
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('RESULT '))
  if (r.status !== 0 || !line) {
    failed++
    process.stdout.write(`!! ${file} failed (exit ${r.status})\n`)
    continue
  }
  results.push(JSON.parse(line.slice('RESULT '.length)) as BenchResult)
}

process.stdout.write('\n=== summary ===\n')
for (const r of results) {
  for (const m of r.metrics) {
    const verdict = m.pass === undefined ? '' : m.pass ? '  PASS' : '  MISS'
    const target = m.target ? `  (target ${m.target})` : ''
    process.stdout.write(`${r.name.padEnd(10)} ${m.metric.padEnd(52)} ${String(m.value).padStart(12)} ${m.unit}${target}${verdict}\n`)
  }
}
mkdirSync(join(dir, 'results'), { recursive: true })
writeFileSync(join(dir, 'results', 'latest.json'), JSON.stringify({ at: new Date().toISOString(), results }, null, 2))
process.exit(failed ? 1 : 0)
