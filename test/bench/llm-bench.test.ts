// The LLM bench (examples/llm-chat/bench.yaml) end to end, made quick (a faster mock, a few seconds, two
// of its variants): the streaming table of report.md is the variants' PREFIX_llm_stats.csv, the verdicts
// are there, and the TTFT and tokens/s charts are written.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse, stringify } from 'yaml'
import { runCli, repoRoot } from '../helpers/cli.js'
import { loadBenchConfig } from '../../src/bench/config.js'
import { fmtCount, fmtMs } from '../../src/report/bench/format.js'

const example = join(repoRoot, 'examples/llm-chat/bench.yaml')

/** A CSV of one header and one row, by column name. */
function csvRow(path: string): Map<string, string> {
  const [header, row] = readFileSync(path, 'utf8').trim().split('\r\n').map((l) => l.split(','))
  return new Map(header!.map((h, i) => [h, row![i]!]))
}

/** report.md's streams table: variant -> its cells by column index. */
function streamsTable(markdown: string): Map<string, string[]> {
  const section = markdown.split('## Streams')[1]!.split('\n## ')[0]!
  const rows = section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| --- ')).slice(1)
  return new Map(rows.map((l) => {
    const cells = l.split('|').slice(1, -1).map((c) => c.trim())
    return [cells[0]!, cells]
  }))
}

test('examples/llm-chat/bench.yaml: the mock at 0.3 s and 50 tokens/s, 100 tokens, the floor and the flow served streaming', () => {
  const config = loadBenchConfig(example)
  const mock = config.services.get('mock')!
  assert.equal(mock.type, 'mock')
  assert.deepEqual(mock.type === 'mock' && mock.options, { ttft: 0.3, tokens_per_sec: 50, seed: 42 })
  assert.deepEqual(config.variants.map((v) => [v.name, v.kind]), [['mock-floor', 'direct'], ['llm-chat', 'async'], ['llm-chat-2-workers', 'async']])
  assert.equal((config.variants[0]!.load.body as { max_tokens: number }).max_tokens, 100)
  assert.equal((config.load.body as { max_tokens: number }).max_tokens, 100)
  assert.equal(config.load.headers.accept, 'text/event-stream')
})

test('floodgate bench of the LLM example: the streams table is the CSVs, with a verdict per variant, and its charts', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-llm-bench-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const doc = parse(readFileSync(example, 'utf8')) as Record<string, Record<string, Record<string, unknown>>>
  doc.services!.mock!.options = { ttft: 0.05, tokens_per_sec: 500, seed: 42 }
  doc.services!['llm-chat']!.flow = join(repoRoot, 'examples/llm-chat')
  Object.assign(doc.load!, { users: 4, spawn_rate: 4, run_time: '3s', warmup: 1, drain: 3 })
  const file = join(dir, 'bench.yaml')
  writeFileSync(file, stringify(doc))
  const out = join(dir, 'out')
  const r = await runCli(['bench', file, '--only', 'mock-floor,llm-chat', '--out', out], { timeoutMs: 150_000 })
  assert.equal(r.code, 0, `stdout: ${r.stdout}\nstderr: ${r.stderr}`)
  assert.match(r.stdout, /^Streams \(ms\):/m)
  assert.match(r.stdout, /^mock-floor: floor: the LLM alone/m)

  const markdown = readFileSync(join(out, 'report.md'), 'utf8')
  const table = streamsTable(markdown)
  assert.deepEqual([...table.keys()], ['mock-floor', 'llm-chat'])
  for (const variant of ['mock-floor', 'llm-chat']) {
    const csv = csvRow(join(out, variant, `${variant}_llm_stats.csv`))
    const cells = table.get(variant)!
    assert.equal(cells[1], fmtMs(Number(csv.get('median_ttft_ms')), 2), `${variant} TTFT median`)
    assert.equal(cells[3], fmtMs(Number(csv.get('p99_ttft_ms')), 2), `${variant} TTFT p99`)
    assert.equal(cells[5], fmtMs(Number(csv.get('median_itl_ms')), 2), `${variant} ITL median`)
    assert.equal(cells[7], fmtMs(Number(csv.get('p99_itl_ms')), 2), `${variant} ITL p99`)
    assert.equal(cells[9], fmtCount(Math.round(Number(csv.get('output_throughput')))), `${variant} tokens/s`)
    assert.equal(cells[11], csv.get('failed'), `${variant} failed`)
    assert.equal(csv.get('failed'), '0')
    // Each reply is 100 tokens: by the server's usage (the floor), by the flow's events (one per chunk).
    assert.equal(Number(csv.get('total_output_tokens')), 100 * Number(csv.get('completed')), `${variant} tokens`)
    assert.equal(csv.get('output_tokens_source'), variant === 'mock-floor' ? 'usage' : 'events')
  }
  assert.equal(table.get('mock-floor')![12], 'floor')
  assert.match(table.get('llm-chat')![12]!, /^(transparent|delays-first-token|slows-tokens|adds-tail)$/)
  // The added columns are the differences of the shown medians (to the rounding of the cells).
  const floorTtft = Number(csvRow(join(out, 'mock-floor', 'mock-floor_llm_stats.csv')).get('median_ttft_ms'))
  const flowTtft = Number(csvRow(join(out, 'llm-chat', 'llm-chat_llm_stats.csv')).get('median_ttft_ms'))
  assert.equal(table.get('llm-chat')![2], `${flowTtft >= floorTtft ? '+' : '−'}${fmtMs(Math.abs(flowTtft - floorTtft), 2)}`)
  assert.match(markdown, /- \*\*llm-chat\*\*: (transparent|delays the first token|slows the tokens|adds to the tail): .*TTFT median .* \(mock-floor /)

  const charts = readdirSync(join(out, 'charts'))
  for (const name of ['comparison-ttft', 'comparison-tokens', 'mock-floor-ttft', 'llm-chat-ttft', 'llm-chat-tokens']) {
    assert.ok(charts.includes(`${name}.svg`), `chart ${name}.svg`)
  }
  assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /Streams: time to first token and inter-token latency/)
})
