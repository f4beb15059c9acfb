// The summary a batch run prints: lines succeeded and failed, throughput, duration percentiles per line
// and per node, tokens when LLM nodes reported usage, and where the files are.
import { relative } from 'node:path'
import type { Summary } from './folder.js'
import type { Durations } from './stats.js'

function ms(value: number | null): string {
  return value === null ? '-' : value.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })
}

function shown(path: string): string {
  const rel = relative(process.cwd(), path)
  if (rel === '') return '.'
  return rel.startsWith('..') ? path : rel
}

export function summaryText(s: Summary, dir: string): string {
  const head = s.status === 'interrupted' ? 'interrupted' : 'done'
  const lines = [
    `floodgate run: ${head}: ${s.lines.succeeded} of ${s.lines.total} lines succeeded, ${s.lines.failed} failed` +
      `${s.lines.notRun > 0 ? `, ${s.lines.notRun} not run` : ''} (${s.durationSec.toFixed(2)} s, ${s.linesPerSecond.toFixed(1)} lines/s, concurrency ${s.concurrency})`
  ]
  const rows: Array<[string, Durations]> = [['line', s.durationsMs.line], ...Object.entries(s.durationsMs.nodes)]
  const table = [['duration ms', 'count', 'p50', 'p90', 'p95', 'p99', 'max'], ...rows.map(([name, d]) => [name, String(d.count), ms(d.p50), ms(d.p90), ms(d.p95), ms(d.p99), ms(d.maxMs)])]
  const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)))
  for (const r of table) lines.push(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '))
  if (s.tokens) lines.push(`tokens: ${s.tokens.input} input, ${s.tokens.output} output, ${s.tokens.total} total`)
  lines.push(`outputs: ${shown(`${dir}/outputs.jsonl`)}${s.lines.failed > 0 ? `, errors: ${shown(`${dir}/errors.jsonl`)}` : ''}, summary: ${shown(`${dir}/summary.json`)}`)
  if (s.status === 'interrupted' || s.lines.failed > 0) lines.push(`run the rest: floodgate run ${shown(s.flow)} --resume ${shown(dir)}`)
  return `${lines.join('\n')}\n`
}
