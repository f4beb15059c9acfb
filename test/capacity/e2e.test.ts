// `floodgate capacity` for real, against loopback servers whose capacity the test knows (slots x service
// time): a small search, its files and report checked against the steps' own result files and against
// what the server answered; an SLO missed at the lowest load (exit 99); one met at the upper bound ("at
// least"); Ctrl-C in the middle (what was found is written, exit 130).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CapacityFile } from '../../src/capacity/data.js'
import { decodeHistogram, newHistogram, percentileMs } from '../../src/load/histogram.js'
import type { LoadResult } from '../../src/load/result.js'
import { fmtMs } from '../../src/report/bench/format.js'
import { runCli, spawnCli, waitForLine } from '../helpers/cli.js'
import { processesWithMark } from '../bench/helpers/bench-fixture.js'
import { slotsServer } from './helpers/slots-server.js'

function tempDir(t: { after: (f: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'fg-capacity-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

const read = (dir: string): CapacityFile => JSON.parse(readFileSync(join(dir, 'capacity.json'), 'utf8')) as CapacityFile

/** capacity.md's steps table: one map of column -> cell per step. */
function stepsTable(markdown: string): Map<string, string>[] {
  const section = markdown.split('## Steps')[1]!.split('\n## ')[0]!
  const lines = section.split('\n').filter((l) => l.startsWith('|'))
  const header = lines[0]!.split('|').slice(1, -1).map((c) => c.trim())
  return lines.slice(2).map((l) => new Map(l.split('|').slice(1, -1).map((c, i) => [header[i]!, c.trim()])))
}

test('a search lands within its tolerance of the boundary the server sets, one line per step, report figures from the step files, counts match the server', async (t) => {
  // 4 slots x 20 ms: 200 req/s at most. Users without wait then see N x 20 ms / 4 per request once N
  // passes 4, so p50<200 holds up to 200 / (serviceMs / 4) users: 40, less the timers' lateness.
  const server = await slotsServer(4, 20)
  t.after(() => server.close())
  const dir = tempDir(t)
  const r = await runCli(['capacity', '--target', server.url, '--slo', 'p50<200', '--step-time', '5s', '--budget', '100s', '--max-users', '400', '--out', dir],
    { timeoutMs: 150_000 })
  assert.equal(r.code, 0, r.stderr + r.stdout)
  const f = read(dir)
  const known = (200 * 4) / server.serviceMs()
  const lines = r.stdout.split('\n')
  // The server's 20 ms and the timers' lateness on a busy machine.
  const service = /^calibration: \d+ sequential requests, service time ([\d.]+) ms, CPU not sampled$/.exec(lines[0]!)
  assert.ok(service && Number(service[1]) >= 20 && Number(service[1]) < 60, lines[0])
  assert.equal(lines.filter((l) => /^step +\d+ /.test(l)).length, f.steps.length, r.stdout)
  assert.ok(f.elapsed_sec <= 100, `elapsed ${f.elapsed_sec}`)
  assert.ok(f.capacity && f.first_failing, r.stdout)
  assert.equal(f.stop_reason, 'converged', r.stdout)
  assert.equal(f.capacity.confirmed, true)
  // The bracket is within the search's 5% (or one user), and the capacity within 10% of the known boundary.
  const c = f.capacity.load
  assert.ok(f.first_failing.load - c <= Math.max(1, 0.05 * c), `bracket [${c}, ${f.first_failing.load}]: ${r.stdout}`)
  assert.ok(Math.abs(c - known) <= 0.1 * known, `capacity ${c} users against the known ${known.toFixed(1)}: ${r.stdout}`)
  // Past 4 users the slots are the limit: the achieved rate is theirs.
  const slotsRps = 4000 / server.serviceMs()
  assert.ok(Math.abs(f.capacity.achieved_rps - slotsRps) <= 0.1 * slotsRps, `${f.capacity.achieved_rps} req/s against the slots' ${slotsRps.toFixed(1)}`)
  assert.equal(f.first_failing.broke, 'p50<200')
  assert.match(r.stdout, new RegExp(`^capacity: ${c} users within p50<200: `, 'm'))

  // Every figure of the report, from the step's result.json as its generator wrote it.
  const table = stepsTable(readFileSync(join(dir, 'capacity.md'), 'utf8'))
  assert.equal(table.length, f.steps.length)
  let recorded = 0
  let abandoned = 0
  f.steps.forEach((s, i) => {
    const result = JSON.parse(readFileSync(join(dir, s.dir, 'result.json'), 'utf8')) as LoadResult
    recorded += result.aggregated.requests
    abandoned += result.abandoned ?? 0
    const windows = result.history.filter((p) => p.t > s.steady.from && p.t <= s.steady.to + 0.05)
    assert.ok(windows.length >= 3)
    const h = newHistogram()
    for (const p of windows) h.add(decodeHistogram(p.histogram!))
    const requests = windows.reduce((n, p) => n + p.requests, 0)
    const row = table[i]!
    assert.equal(row.get('Step'), String(s.index))
    assert.equal(row.get('Load'), `${s.load} user${s.load === 1 ? '' : 's'}`)
    assert.equal(row.get('Requests'), requests.toLocaleString('en-US'))
    assert.equal(row.get('p99'), fmtMs(percentileMs(h, 99)!, 0))
    assert.equal(row.get('p50'), fmtMs(percentileMs(h, 50)!, 0))
    assert.equal(row.get('Achieved req/s'), (requests / (windows.at(-1)!.t - s.steady.from)).toFixed(1))
    assert.equal(row.get('Result'), percentileMs(h, 50)! < 200 ? 'pass' : 'FAIL p50<200')
  })
  // What the generator recorded is what the server answered: the calibration's requests and every step's,
  // and of the requests a step's end abandoned in flight, those the server still finished.
  const answered = server.answered() - f.calibration!.requests
  assert.ok(answered >= recorded && answered <= recorded + abandoned, `server answered ${answered}, generator recorded ${recorded} (+${abandoned} abandoned)`)
  assert.ok(existsSync(join(dir, 'capacity.html')) && existsSync(join(dir, 'charts/capacity-throughput.svg')) && existsSync(join(dir, 'charts/capacity-latency.svg')))

  // `floodgate report` rebuilds the same findings from the saved files.
  const again = await runCli(['report', dir])
  assert.equal(again.code, 0, again.stderr)
  const rebuilt = read(dir)
  assert.deepEqual([rebuilt.capacity, rebuilt.first_failing, rebuilt.saturated, rebuilt.summary], [f.capacity, f.first_failing, f.saturated, f.summary])
  assert.match(again.stdout, /^capacity: /m)
})

test('an SLO missed even at the lowest load exits 99; one met at the upper bound is "at least" it', async (t) => {
  const slow = await slotsServer(4, 200)
  const fast = await slotsServer(8, 20)
  t.after(() => Promise.all([slow.close(), fast.close()]))
  const [dirSlow, dirFast] = [tempDir(t), tempDir(t)]
  const [never, atLeast] = await Promise.all([
    runCli(['capacity', '--target', slow.url, '--slo', 'p99<100', '--step-time', '5s', '--budget', '30s', '--out', dirSlow], { timeoutMs: 60_000 }),
    runCli(['capacity', '--target', fast.url, '--slo', 'p99<500', '--step-time', '5s', '--max-users', '3', '--budget', '30s', '--out', dirFast], { timeoutMs: 60_000 })
  ])
  assert.equal(never.code, 99, never.stderr + never.stdout)
  assert.match(never.stderr, /^floodgate: even the lowest load \(1 user\) misses p99<100: it broke p99<100 \(2\d\d ms\); no capacity within this SLO\n$/)
  const n = read(dirSlow)
  assert.equal(n.capacity, null)
  assert.equal(n.first_failing?.load, 1)
  assert.equal(n.stop_reason, 'lowest-failed')
  assert.deepEqual(n.steps.map((s) => s.load), [1])

  assert.equal(atLeast.code, 0, atLeast.stderr + atLeast.stdout)
  const a = read(dirFast)
  assert.deepEqual([a.capacity?.load, a.capacity?.at_least, a.capacity?.confirmed, a.first_failing, a.stop_reason], [3, true, true, null, 'upper-bound'])
  assert.match(atLeast.stdout, /^capacity: at least 3 users within p99<500: .*; the upper bound passed \(raise --max-users to look further\)$/m)
})

test('Ctrl-C during a step writes what was found, exit 130, and leaves no process behind', async (t) => {
  const server = await slotsServer(4, 50)
  t.after(() => server.close())
  const dir = tempDir(t)
  const mark = `FG_CAPACITY_INT_${randomUUID()}`
  const child = spawnCli(['capacity', '--target', server.url, '--slo', 'p99<300', '--step-time', '5s', '--out', dir], { env: { [mark]: '1' } })
  t.after(() => child.kill('SIGKILL'))
  let stdout = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  await waitForLine(child, /^step +1 /m, 60_000)
  // Interrupt step 2 once the server has answered some of its requests: a fixed delay raced the start of
  // step 2's load process on a busy machine, and the signal then fell between the steps.
  const afterStep1 = server.answered()
  const deadline = Date.now() + 60_000
  while (server.answered() < afterStep1 + 20) {
    assert.ok(Date.now() < deadline, 'step 2 never loaded the server')
    await new Promise((r) => setTimeout(r, 50))
  }
  child.kill('SIGINT')
  assert.equal(await exited, 130, stdout)
  assert.deepEqual(processesWithMark(mark), [], 'no process of the search is left running')
  const f = read(dir)
  assert.equal(f.interrupted, true)
  assert.equal(f.stop_reason, 'interrupted')
  assert.deepEqual(f.steps.map((s) => s.status), ['ok', 'interrupted'])
  assert.equal(f.steps[1]!.result.interrupted, true)
  assert.ok(f.steps[1]!.result.aggregated.requests > 0)
  assert.ok(existsSync(join(dir, f.steps[1]!.dir, 'result.json')))
  // The first step passed: it is what was found, not confirmed.
  assert.equal(f.capacity?.load, f.steps[0]!.load)
  assert.equal(f.capacity?.confirmed, false)
  assert.match(stdout, /^capacity: \d+ users within p99<300: .*not confirmed by a repeated step/m)
})
