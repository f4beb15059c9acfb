// `floodgate merge`: real shards run against a loopback server, and every bad input named in issue 7.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runLoad, type LoadResult } from '../../../src/load/index.js'
import { applyShard, formatShard } from '../../../src/load/shard.js'
import { startServer } from '../../load/helpers/server.js'
import { runMerge } from './helpers/cli.js'

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'floodgate-merge-cli-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** Runs shard I of N as `floodgate load --shard I/N --json` does: applyShard, runLoad, label the result. */
async function runShard(url: string, index: number, count: number): Promise<LoadResult> {
  const shard = { index, count }
  const result = await runLoad(applyShard({ url, users: 8, spawnRate: 80, runTime: 2, wait: 'constant:0.05' }, shard))
  result.config.shard = formatShard(shard)
  return result
}

interface Shards { dir: string; files: string[]; results: LoadResult[] }

// One set of real shard results, shared by the tests below (a load run takes seconds).
let shards: Shards
before(async () => {
  const server = await startServer((_req, res) => setTimeout(() => res.end('{"answer":"ok"}'), 10))
  try {
    const results = await Promise.all([0, 1, 2, 3].map((i) => runShard(`${server.url}/score`, i, 4)))
    assert.equal(results.reduce((a, r) => a + r.aggregated.requests, 0), server.count(), 'every request the server saw is in a shard')
    const dir = await mkdtemp(join(tmpdir(), 'floodgate-merge-shards-'))
    const files = await Promise.all(results.map(async (r, i) => {
      const file = join(dir, `shard-${i}.json`)
      await writeFile(file, JSON.stringify(r))
      return file
    }))
    shards = { dir, files, results }
  } finally {
    await server.close()
  }
})
after(() => (shards ? rm(shards.dir, { recursive: true, force: true }) : undefined))

test('4 shards run against a loopback server merge into one run of the requested load', async () => {
  const { dir, files, results } = shards
  assert.deepEqual(results.map((r) => r.config.users), [2, 2, 2, 2])
  const out = join(dir, 'out')
  const run = await runMerge([...files, '--out', out])
  assert.equal(run.code, 0, run.stderr)
  const merged = JSON.parse(await readFile(join(out, 'merged.json'), 'utf8')) as LoadResult
  const total = results.reduce((a, r) => a + r.aggregated.requests, 0)
  assert.equal(merged.aggregated.requests, total)
  assert.equal(merged.aggregated.failures, 0)
  assert.deepEqual(merged.statusCounts, { 200: total })
  assert.equal(merged.config.users, 8)
  assert.ok(Math.abs(merged.config.spawnRate - 80) < 1e-9)
  assert.equal(merged.generator.processes, 4)
  // History aligned by epoch second: each merged second holds the requests of that second in every shard.
  assert.equal(merged.history.reduce((a, p) => a + p.requests, 0), total)
  for (const p of merged.history) {
    const parts = results.map((r) => r.history.find((x) => x.t === p.t)?.requests ?? 0)
    assert.equal(p.requests, parts.reduce((a, b) => a + b, 0), `second ${p.t}`)
  }
  // The server answers after 10 ms: the merged median is at least that, and no shard's extremes are exceeded.
  assert.ok(merged.aggregated.medianMs >= 10, `median ${merged.aggregated.medianMs}`)
  assert.equal(merged.aggregated.minMs, Math.min(...results.map((r) => r.aggregated.minMs)))
  assert.equal(merged.aggregated.maxMs, Math.max(...results.map((r) => r.aggregated.maxMs)))
  assert.match(run.stdout, /Request statistics/)
  assert.match(run.stdout, new RegExp(`Merged 4 result\\(s\\): ${total} requests, 0 failures`))
  for (const name of ['merged.json', 'merged_stats.csv', 'merged_stats_history.csv', 'merged_failures.csv', 'merged_exceptions.csv', 'report.html']) {
    assert.ok(run.stdout.includes(join(out, name)), `${name} reported as written`)
  }
})

test('a missing shard is merged with a warning saying how much of the load is missing', async () => {
  const { dir, files } = shards
  const run = await runMerge([files[0], files[1], files[3], '--out', join(dir, 'partial'), '--quiet'])
  assert.equal(run.code, 0, run.stderr)
  assert.match(run.stderr, /floodgate merge: warning: shard\(s\) 2\/4 missing: the merged load is 3\/4 of the requested one/)
  assert.doesNotMatch(run.stdout, /Request statistics/)
})

test('the same shard twice is refused: its requests would count twice', async () => {
  const { dir, files } = shards
  const copy = join(dir, 'copy-of-1.json')
  await writeFile(copy, await readFile(files[1]))
  const twice = await runMerge([files[0], files[1], files[1], '--out', join(dir, 'x')])
  assert.equal(twice.code, 2)
  assert.equal(twice.stderr, `floodgate: ${files[1]} is given twice: its requests would be counted twice\n`)
  const same = await runMerge([files[1], copy, '--out', join(dir, 'x')])
  assert.equal(same.code, 2)
  assert.equal(same.stderr, `floodgate: ${copy} and ${files[1]} are both shard 1/4: its requests would be counted twice\n`)
})

test('bad inputs name the file at fault and exit 2', async (t) => {
  const dir = await tempDir(t)
  const out = join(dir, 'out')
  const write = async (name: string, text: string) => {
    const file = join(dir, name)
    await writeFile(file, text)
    return file
  }
  const missing = join(dir, 'shard-9.json')
  const notJson = await write('broken.json', '{"version": 1, "tool": ')
  const other = await write('other.json', '{"hello": "world"}')
  const newer = await write('newer.json', '{"version": 3, "tool": "floodgate"}')
  const partial = await write('partial.json', '{"version": 1, "tool": "floodgate", "config": {}, "startedAt": 1, "endedAt": 2, "durationSec": 1, "endpoints": []}')
  const folder = join(dir, 'folder.json')
  await mkdir(folder)

  const cases: [string[], RegExp | string][] = [
    [[missing], `floodgate: ${missing}: file not found\n`],
    [[folder], `floodgate: ${folder}: is a folder, not a result file\n`],
    [[notJson], new RegExp(`^floodgate: ${notJson}: not valid JSON \\(.+\\); expected the file of floodgate load --json\\n$`)],
    [[other], `floodgate: ${other}: not a floodgate load result (no "tool": "floodgate"); write one with floodgate load --json\n`],
    [[newer], `floodgate: ${newer}: load result version 3 is not supported (this floodgate reads versions 1 and 2); merge results written by this floodgate version or an older one\n`],
    [[partial], `floodgate: ${partial}: field "aggregated" must be an object, got undefined\n`]
  ]
  for (const [files, expected] of cases) {
    const run = await runMerge([...files, '--out', out])
    assert.equal(run.code, 2, `${files.join(' ')}: ${run.stderr}`)
    if (typeof expected === 'string') assert.equal(run.stderr, expected)
    else assert.match(run.stderr, expected)
  }
  await assert.rejects(readFile(join(out, 'merged.json')), { code: 'ENOENT' }, 'nothing written on bad input')
})

test('usage errors: no files, no --out', async () => {
  const none = await runMerge(['--out', 'x'])
  assert.equal(none.code, 2)
  assert.match(none.stderr, /error: missing required argument 'result.json'/)
  const noOut = await runMerge(['a.json'])
  assert.equal(noOut.code, 2)
  assert.match(noOut.stderr, /error: required option '--out <dir>' not specified/)
})
