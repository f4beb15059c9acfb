// Helpers for the bench end-to-end tests: a small bench.yaml, the processes left behind (found by an
// environment mark every child inherits), and the report's tables read back as numbers.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../../helpers/cli.js'

export const flows = join(repoRoot, 'examples/promptflow-serve')

/** Writes a bench.yaml with the given variants over a 0.3 s mock and the async example flow. */
export function writeSmallBench(dir: string, variants: string, load = 'users: 20\n  spawn_rate: 20\n  run_time: 5s\n  wait: between:0.2,0.4\n  warmup: 2'): string {
  const file = join(dir, 'bench.yaml')
  writeFileSync(file, `name: e2e
services:
  mock:
    type: mock
    options: { min_wait: 0.3, max_wait: 0.3 }
  async:
    type: serve
    flow: ${join(flows, 'static_async')}
    options: { workers: 1, log_level: warn }
    env: { MOCK_API_ENDPOINT: "\${mock.url}" }
  broken:
    type: serve
    flow: ./no-such-flow
    options: { workers: 1 }
load:
  ${load}
variants:
${variants}
`)
  return file
}

/** Pids of live processes whose environment holds `mark` (every child of a bench inherits it). */
export function processesWithMark(mark: string): number[] {
  const found: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(mark)) found.push(Number(entry))
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found
}

/** report.md's "## Results" table: metric -> column -> number (grouping commas removed; "—" is NaN). */
export function resultsFromMarkdown(markdown: string): Map<string, Map<string, number>> {
  const section = markdown.split('## Results')[1]!.split('\n## ')[0]!
  const lines = section.split('\n').filter((l) => l.startsWith('|'))
  const header = lines[0]!.split('|').slice(1, -1).map((c) => c.trim())
  const out = new Map<string, Map<string, number>>()
  for (const line of lines.slice(2)) {
    const cells = line.split('|').slice(1, -1).map((c) => c.trim())
    const row = new Map<string, number>()
    header.forEach((h, i) => i > 0 && row.set(h, cells[i] === '—' ? NaN : Number(cells[i]!.replace(/,/g, ''))))
    out.set(cells[0]!, row)
  }
  return out
}

/** The Aggregated row of a Locust stats CSV, by column name. */
export function aggregatedRow(csvPath: string): Map<string, number> {
  const [header, ...rows] = readFileSync(csvPath, 'utf8').trim().split(/\r?\n/).map((l) => l.split(','))
  const agg = rows.find((r) => r[1] === 'Aggregated')!
  return new Map(header!.map((h, i) => [h, Number(agg[i])]))
}
