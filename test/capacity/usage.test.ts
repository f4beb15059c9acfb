// Every bad input to `floodgate capacity` is one line naming the flag and the value at fault, exit 2,
// before anything starts; the CLI prints it as every command does.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { resolve } from 'node:path'
import { capacityOptions } from '../../src/cli/capacity.js'
import { runCapacity } from '../../src/capacity/run.js'
import { isFloodgateError } from '../../src/errors.js'
import { runCli, repoRoot } from '../helpers/cli.js'
import { slotsServer } from './helpers/slots-server.js'

type Flags = Parameters<typeof capacityOptions>[1]

/** The message of the error the command stops with, which must map to exit 2. */
async function refused(file: string | undefined, flags: Partial<Flags>): Promise<string> {
  try {
    await runCapacity({ ...capacityOptions(file, { slo: [], header: [], ...flags }), out: resolve(repoRoot, 'test-output/capacity-never-written') })
  } catch (err) {
    assert.ok(isFloodgateError(err), String(err))
    assert.equal(err.exitCode, 2, err.message)
    return err.message
  }
  assert.fail('expected a usage error')
}

const T = 'http://127.0.0.1:9/'
const STUDY = 'examples/promptflow-serve/bench.yaml'
const VARIANTS = 'test-mock, static-sync, static-async, flex-async, static-sync-admission'

test('each bad input names its flag and value', async () => {
  const cases: [string | undefined, Partial<Flags>, string][] = [
    [undefined, { target: T }, 'capacity needs an SLO: give --slo, e.g. --slo p99<1500 (the threshold syntax of floodgate load; repeatable)'],
    [undefined, { target: T, slo: ['p99<<3'] }, 'invalid --slo "p99<<3": expected METRIC OP VALUE, e.g. p95<2000, avg<1500, fail_ratio<0.01, rps>=200 ' +
      '(metrics: p50..p100, avg, min, max, med, fail_ratio, rps, failures; streams: ttft_, itl_ with p50..p100, avg, min, max, ' +
      'and goodput, tokens_per_s; operators: < <= > >= ==)'],
    [undefined, { target: T, slo: ['p99<1s', 'rps<5s'] }, 'invalid --slo "rps<5s": "s" is a time unit but rps is not a time'],
    [undefined, { target: T, slo: ['p99<500'], mode: 'fast' }, 'invalid --mode "fast": expected users or rate'],
    [undefined, { target: T, slo: ['p99<500'], maxUsers: '0' }, 'invalid --max-users "0": expected a whole number >= 1'],
    [undefined, { target: T, slo: ['p99<500'], mode: 'rate', maxRate: '-3' }, 'invalid --max-rate "-3": expected a number > 0'],
    [undefined, { target: T, slo: ['p99<500'], mode: 'rate', maxUsers: '5' }, '--max-users bounds --mode users; with --mode rate use --max-rate'],
    [undefined, { target: T, slo: ['p99<500'], maxRate: '5' }, '--max-rate bounds --mode rate; with --mode users use --max-users'],
    [undefined, { target: T, slo: ['p99<500'], maxInFlight: '50' }, '--max-in-flight applies to --mode rate (the open loop); users keep one request each in flight'],
    [undefined, { target: T, slo: ['p99<500'], stepTime: 'soon' }, 'invalid --step-time "soon": expected a duration like 30s, 5m, 1h30m or 90 (seconds)'],
    [undefined, { target: T, slo: ['p99<500'], budget: '0' }, 'invalid --budget "0": expected a duration like 30s, 5m, 1h30m or 90 (seconds)'],
    [undefined, { target: 'ftp://host/x', slo: ['p99<500'] }, 'invalid --target "ftp://host/x": expected an http(s) URL such as http://127.0.0.1:8080/score'],
    [undefined, { target: T, variant: 'static-sync', slo: ['p99<500'] }, '--variant and --target cannot be used together: --target measures that URL with the file\'s load profile'],
    [undefined, { variant: 'nope', slo: ['p99<500'] }, `--variant: unknown variant "nope" in ${STUDY} (variants: ${VARIANTS})`],
    [undefined, { slo: ['p99<500'] }, `${STUDY} has 5 variants: choose one with --variant (${VARIANTS})`],
    ['no-such-bench.yaml', { slo: ['p99<500'] }, `no-such-bench.yaml: cannot read the bench file: ENOENT: no such file or directory, open '${resolve('no-such-bench.yaml')}'`],
    [undefined, { target: T, slo: ['p99<500'], wait: 'soon' }, 'invalid --wait "soon": expected between:MIN,MAX, constant:S, throughput:R, pacing:S or none'],
    [undefined, { target: T, slo: ['p99<500'], header: ['no colon'] }, 'invalid --header "no colon": expected "Name: value"'],
    [undefined, { target: T, slo: ['p99<500'], body: '{}', bodyFile: 'b.json' }, '--body and --body-file cannot be used together'],
    [undefined, { target: T, slo: ['p99<500'], bodyFile: '/no/such/body.json' }, '--body-file /no/such/body.json: file not found'],
    [undefined, { target: T, slo: ['p99<500'], method: 'G T' }, 'invalid --method "G T"'],
    [undefined, { target: T, slo: ['p99<500'], timeout: '0' }, 'invalid --timeout "0": expected a number > 0'],
    [undefined, { target: T, slo: ['p99<500'], processes: 'x' }, 'invalid --processes "x": expected a whole number >= 1'],
    [undefined, { target: T, slo: ['tpot_p99<50'] }, 'invalid --slo "tpot_p99<50": a step is judged on its steady seconds, and tpot is kept for a whole run only; ' +
      'SLOs on streams: ttft_ and itl_ (p50..p100, avg, min, max), goodput, tokens_per_s'],
    [undefined, { target: T, slo: ['goodput>10'] }, '--slo goodput needs the per-request targets it counts: give --request-slo, e.g. --request-slo ttft<500 (floodgate load\'s --slo; repeatable)'],
    [undefined, { target: T, slo: ['goodput>10'], requestSlo: ['ttft<'] }, 'invalid --request-slo "ttft<": expected METRIC<MILLISECONDS, e.g. ttft<500 or e2e<5000 (metrics: ttft, itl, tpot, e2e)']
  ]
  for (const [file, flags, message] of cases) assert.equal(await refused(file, flags), message, JSON.stringify(flags))
})

test('a --step-time too short for the measured service time and SLO is refused once calibration has measured them', async (t) => {
  const server = await slotsServer(4, 20)
  t.after(() => server.close())
  const message = await refused(undefined, { target: server.url, slo: ['p99<2000'], stepTime: '3s' })
  // The cycle is the service time the calibration measured (20 ms and a little): the one figure that varies.
  const cycle = /spawn over one ([\d.]+ ms) cycle/.exec(message)?.[1] ?? 'no cycle in the message'
  assert.ok(Number.parseFloat(cycle) >= 20 && Number.parseFloat(cycle) < 60, cycle)
  assert.equal(message, `--step-time 3.00 s is too short: a step's first 3 s are its ramp here (users spawn over one ${cycle} cycle, then each completes a cycle of up to 2.00 s), ` +
    'and at least 4 s more are needed to measure; use --step-time 7s or more')
})

test('the CLI prints a usage error as one line, exit 2', async () => {
  const r = await runCli(['capacity', '--target', T, '--slo', 'p99<500', '--mode', 'rate', '--max-users', '5'])
  assert.equal(r.code, 2)
  assert.equal(r.stderr, 'floodgate: --max-users bounds --mode users; with --mode rate use --max-rate\n')
  assert.equal(r.stdout, '')
})

test('floodgate bench: the search\'s flags need --capacity, and --capacity needs an SLO, before any variant runs', async () => {
  const cases: [string[], string][] = [
    [['--slo', 'p99<500'], '--slo belongs to the capacity search: add --capacity'],
    [['--max-users', '50'], '--max-users belongs to the capacity search: add --capacity'],
    [['--budget', '2m'], '--budget belongs to the capacity search: add --capacity'],
    [['--capacity'], 'capacity needs an SLO: give --slo, e.g. --slo p99<1500 (the threshold syntax of floodgate load; repeatable)'],
    [['--capacity', '--slo', 'p99<500', '--mode', 'rate', '--max-users', '5'], '--max-users bounds --mode users; with --mode rate use --max-rate']
  ]
  const runs = await Promise.all(cases.map(([args]) => runCli(['bench', '--out', resolve(repoRoot, 'test-output/bench-never-written'), ...args])))
  runs.forEach((r, i) => {
    assert.equal(r.code, 2, r.stderr)
    assert.equal(r.stderr, `floodgate: ${cases[i]![1]}\n`)
    assert.equal(r.stdout, '')
  })
})
