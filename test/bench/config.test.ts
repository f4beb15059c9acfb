// test:concurrent
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError, UsageError } from '../../src/errors.js'
import { loadBenchConfig, readBenchConfig } from '../../src/bench/config.js'
import { planBench } from '../../src/bench/plan.js'
import { DEFAULT_BENCH_FILE } from '../../src/bench/run.js'
import { optionFlags, serviceArgs } from '../../src/bench/services.js'
import type { ServeService } from '../../src/bench/config-types.js'
import { loadArgs } from '../../src/bench/variant.js'
import { variantFiles } from '../../src/report/bench/files.js'

const base = () => ({
  services: {
    mock: { type: 'mock', options: { min_wait: 1, max_wait: 1 } },
    flow: { type: 'serve', flow: 'static_async', options: { workers: 2 }, env: { MOCK_API_ENDPOINT: '${mock.url}' } }
  },
  variants: [
    { name: 'test-mock', target: 'mock', method: 'GET', path: '/', body: null },
    { name: 'a', target: 'flow' },
    { name: 'b', target: 'flow', serve: { workers: 1 } }
  ]
})

function rejects(doc: unknown, message: string) {
  assert.throws(() => readBenchConfig(doc, 'bench.yaml', '/flows'), (err: unknown) => {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`)
    assert.equal(err.message, message)
    assert.equal(err.exitCode, 2)
    return true
  })
}

test('each invalid field is named with its path and the value at fault', () => {
  const doc = base()
  ;(doc.variants[2] as Record<string, unknown>).serve = { workers: 'x' }
  rejects(doc, 'bench.yaml: variants[2].serve.workers: expected a positive integer, got "x"')
  rejects({ ...base(), load: { users: 0 } }, 'bench.yaml: load.users: expected a positive integer, got 0')
  rejects({ ...base(), load: { run_time: 'soon' } }, 'bench.yaml: load.run_time: expected a duration such as 60s, 5m or 1h, got "soon"')
  rejects({ ...base(), load: { wait: 'between:2,1' } }, 'bench.yaml: load.wait: "between:2,1": between\'s MIN (2) is greater than its MAX (1)')
  rejects({ ...base(), load: { wait: 'sometimes' } }, 'bench.yaml: load.wait: "sometimes": expected between:MIN,MAX, constant:S, throughput:R, pacing:S or none')
  rejects({ ...base(), load: { path: 'score' } }, 'bench.yaml: load.path: expected a path starting with /, got "score"')
  rejects({ ...base(), full: { spawn_rate: -1 } }, 'bench.yaml: full.spawn_rate: expected a positive number, got -1')
  rejects({ ...base(), load: { method: 'FETCH' } }, 'bench.yaml: load.method: expected one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, got "FETCH"')
})

test('durations longer than a Node.js timer holds are refused, naming the field', () => {
  const limit = '2147483 s (24.8 days), the longest delay a Node.js timer holds'
  rejects({ ...base(), load: { run_time: '1000h' } }, `bench.yaml: load.run_time: expected at most ${limit}, got "1000h"`)
  rejects({ ...base(), load: { timeout: 3e6 } }, `bench.yaml: load.timeout: expected at most ${limit}, got 3000000`)
  rejects({ ...base(), full: { drain: 2_147_484 } }, `bench.yaml: full.drain: expected at most ${limit}, got 2147484`)
  rejects({ ...base(), load: { warmup: 3e6 } }, 'bench.yaml: load.warmup: expected an integer from 0 to 2147483, got 3000000')
  const mock = base()
  mock.services.mock.options.max_wait = 3e6
  rejects(mock, `bench.yaml: services.mock.options.max_wait: expected at most ${limit}, got 3000000`)
  const serve = base()
  ;(serve.variants[1] as Record<string, unknown>).serve = { timeout: 2_147_484 }
  rejects(serve, `bench.yaml: variants[1].serve.timeout: expected at most ${limit}, got 2147484`)
  // The load generator's own limits, with its reason under the field's name rather than its flag's.
  rejects({ ...base(), load: { wait: 'constant:3000000' } }, `bench.yaml: load.wait: "constant:3000000": a wait of 3000000 s is longer than ${limit}`)
  rejects({ ...base(), full: { spawn_rate: 1e-7 } }, `bench.yaml: full.spawn_rate: 1e-7: one every 10000000 s is longer than ${limit}`)
  // The lower bounds keep their messages.
  rejects({ ...base(), load: { timeout: 0 } }, 'bench.yaml: load.timeout: expected a positive number, got 0')
  rejects({ ...base(), load: { drain: -1 } }, 'bench.yaml: load.drain: expected a number >= 0, got -1')
  assert.equal(readBenchConfig({ ...base(), load: { run_time: '596h31m23s', timeout: 2_147_483 } }, 'bench.yaml', '/flows').load.runTimeSec, 2_147_483)
})

test('unknown fields, services and references are reported with what is known', () => {
  rejects({ ...base(), loads: {} }, 'bench.yaml: (top level).loads: unknown field (expected one of: name, services, load, full, variants)')
  const unknownTarget = base()
  unknownTarget.variants[1]!.target = 'flw'
  rejects(unknownTarget, 'bench.yaml: variants[1].target: unknown service "flw" (services: mock, flow)')
  const badRef = base()
  badRef.services.flow.env.MOCK_API_ENDPOINT = '${mok.url}'
  rejects(badRef, 'bench.yaml: services.flow.env.MOCK_API_ENDPOINT: unknown service "mok" in ${mok.url} (services: mock, flow)')
  const badOption = base()
  ;(badOption.services.mock.options as Record<string, unknown>).error_rate = 2
  rejects(badOption, 'bench.yaml: services.mock.options.error_rate: expected a number between 0 and 1, got 2')
  const unknownOption = base()
  ;(unknownOption.services.flow.options as Record<string, unknown>).thread = 4
  rejects(unknownOption, 'bench.yaml: services.flow.options.thread: unknown field (expected one of: workers, threads, max_concurrency, queue, timeout, log_level)')
  const serveOnMock = base()
  ;(serveOnMock.variants[0] as Record<string, unknown>).serve = { workers: 1 }
  rejects(serveOnMock, 'bench.yaml: variants[0].serve: the target "mock" is not a serve service')
})

test('duplicates, cycles, empty lists and missing flows are refused', () => {
  const dup = base()
  dup.variants[2]!.name = 'a'
  rejects(dup, 'bench.yaml: variants[2].name: duplicate variant name "a"')
  const cycle = base()
  ;(cycle.services.mock as Record<string, unknown>).env = { X: '${flow.port}' }
  rejects(cycle, 'bench.yaml: services.mock: services refer to each other in a cycle (mock -> flow -> mock)')
  rejects({ ...base(), variants: [] }, 'bench.yaml: variants: declare at least one variant')
  rejects({ services: {}, variants: [] }, 'bench.yaml: services: declare at least one service')
  const noFlow = base()
  delete (noFlow.services.flow as Record<string, unknown>).flow
  rejects(noFlow, 'bench.yaml: services.flow.flow: expected a non-empty string, got nothing')
  rejects([1, 2], 'bench.yaml: (top level): expected a mapping with services, load and variants, got [1,2]')
  // A file of one long line parses as one string: the message shows its start, not the whole file.
  const line = Array.from({ length: 5000 }, (_, i) => i + 1).join(' ')
  rejects(line, `bench.yaml: (top level): expected a mapping with services, load and variants, got ${JSON.stringify(line).slice(0, 80)}... (a string of ${line.length} characters)`)
  const longPath = base()
  const list = Array.from({ length: 300 }, (_, i) => i)
  ;(longPath.variants[1] as Record<string, unknown>).path = list
  rejects(longPath, `bench.yaml: variants[1].path: expected a non-empty string, got ${JSON.stringify(list).slice(0, 80)}... (a list of 300 items)`)
})

test('a file that is missing or not YAML is named in the message', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-bench-config-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const bad = join(dir, 'bad.yaml')
  writeFileSync(bad, 'services: [\n')
  assert.throws(() => loadBenchConfig(bad, 'bad.yaml'), /^ConfigError: bad\.yaml: invalid YAML \(line \d+, column \d+\): [^\n]*[^:\n]$/)
  assert.throws(() => loadBenchConfig(join(dir, 'nope.yaml'), 'nope.yaml'), {
    name: 'ConfigError', message: /^nope\.yaml: cannot read the bench file: ENOENT/
  })
})

test('the default bench is the study: five variants, 500 users at 50/s for 60 s, --full is 1000 at 10/s for 5 min', () => {
  const config = loadBenchConfig(DEFAULT_BENCH_FILE)
  const plans = planBench(config)
  assert.deepEqual(plans.map((p) => p.name), ['test-mock', 'static-sync', 'static-async', 'flex-async', 'static-sync-admission'])
  assert.deepEqual(plans.map((p) => p.services.map((s) => s.name)), [
    ['mock'], ['mock', 'static-sync'], ['mock', 'static-async'], ['mock', 'flex-async'], ['mock', 'static-sync']
  ])
  const [mock, sync, , , admission] = plans
  assert.equal(mock!.load.method, 'GET')
  assert.equal(mock!.load.body, undefined)
  assert.deepEqual([sync!.load.users, sync!.load.spawnRate, sync!.load.runTimeSec, sync!.load.wait], [500, 50, 60, 'between:1,2'])
  assert.equal(sync!.kind, 'pool_threads')
  const options = (plan: typeof sync) => (plan!.services[1] as ServeService).options
  assert.equal(options(sync).max_concurrency, 0)
  assert.equal(options(admission).max_concurrency, undefined)
  const full = planBench(config, { full: true, only: ['static-async'] })
  assert.deepEqual([full[0]!.load.users, full[0]!.load.spawnRate, full[0]!.load.runTimeSec], [1000, 10, 300])
  const flags = planBench(config, { users: 20, runTimeSec: 5 })
  assert.ok(flags.every((p) => p.load.users === 20 && p.load.runTimeSec === 5 && p.load.spawnRate === 50))
})

test('--only names an unknown variant with a usage error; --target replaces the matrix', () => {
  const config = loadBenchConfig(DEFAULT_BENCH_FILE)
  assert.throws(() => planBench(config, { only: ['static-sink'] }), (err: unknown) =>
    err instanceof UsageError && err.message === '--only: unknown variant "static-sink" (variants: test-mock, static-sync, static-async, flex-async, static-sync-admission)')
  const [target] = planBench(config, { target: 'http://127.0.0.1:8080' })
  assert.equal(target!.kind, 'external')
  assert.equal(target!.load.path, '/score')
  assert.equal(planBench(config, { target: 'http://127.0.0.1:8080/other' })[0]!.load.path, '/other')
})

test('services become floodgate command lines on free loopback ports; the load gets the same request', () => {
  const config = readBenchConfig(base(), 'bench.yaml', '/flows')
  const [, a] = planBench(config)
  assert.deepEqual(optionFlags({ max_concurrency: 0, min_wait: 1.5 }), ['--max-concurrency', '0', '--min-wait', '1.5'])
  const running = new Map([['mock', { info: { name: 'mock', type: 'mock' as const, url: 'http://127.0.0.1:4321', args: [] }, child: null }]])
  assert.deepEqual(serviceArgs(a!.services[1]!, running), ['serve', '/flows/static_async', '--host', '127.0.0.1', '--port', '0', '--workers', '2'])
  const args = loadArgs(a!, 'http://127.0.0.1:5555/score', variantFiles('/out', 'a'))
  assert.deepEqual(args, [
    'load', 'http://127.0.0.1:5555/score', '--method', 'POST', '--users', '500', '--spawn-rate', '50', '--run-time', '60s',
    '--wait', 'between:1,2', '--timeout', '60', '--json', '/out/a/result.json', '--csv', '/out/a/a', '--progress', 'jsonl',
    '--body', '{"question":"Test question","chat_history":[]}', '--header', 'content-type: application/json'
  ])
})
