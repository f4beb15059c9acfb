// deploy/compose/docker-compose.yml without a Docker engine: valid against the Compose Specification
// schema, the same services and settings as examples/promptflow-serve/bench.yaml, and its commands run
// for real (mock, the three flows, the one-shot load) on loopback ports.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import type { ChildProcess } from 'node:child_process'
import { loadBenchConfig } from '../../src/bench/config.js'
import type { LoadResult } from '../../src/load/index.js'
import type { ServeService, MockService } from '../../src/bench/config-types.js'
import { repoRoot, runCli, spawnCli, waitForLine } from '../helpers/cli.js'
import { composeProblems, readCompose, type ComposeDoc } from './helpers/compose.js'

const bench = loadBenchConfig(join(repoRoot, 'examples/promptflow-serve/bench.yaml'))
const compose = readCompose()
const flag = (args: string[], name: string) => {
  const i = args.indexOf(name)
  return i < 0 ? undefined : args[i + 1]
}
const containerPort = (service: ComposeDoc) => Number(String(service.ports[0]).split(':').at(-1))

test('the compose file is valid against the Compose Specification schema', () => {
  assert.deepEqual(composeProblems(compose), [])
})

test('the schema check fails on a wrong compose file', () => {
  const broken = structuredClone(compose)
  broken.services.mock.healthcheck.start_intervall = '1s'
  broken.services['static-async'].depends_on.mock.condition = 'service_ready'
  broken.services['flex-async'].ports = 'not a list'
  const problems = composeProblems(broken)
  assert.ok(problems.some((p) => p.startsWith('/services/mock/healthcheck: must NOT have additional properties (start_intervall)')), problems.join('\n'))
  assert.ok(problems.some((p) => p.startsWith('/services/static-async/depends_on/mock/condition: must be equal to one of the allowed values')), problems.join('\n'))
  assert.ok(problems.some((p) => p.startsWith('/services/flex-async/ports: must be array')), problems.join('\n'))
})

test('services, flows, workers, threads and environment match examples/promptflow-serve/bench.yaml', () => {
  const services = compose.services
  assert.deepEqual(Object.keys(services).filter((n) => n !== 'load').sort(), [...bench.services.keys()].sort())
  const mock = bench.services.get('mock') as MockService
  const mockArgs: string[] = services.mock.command
  assert.equal(mockArgs[0], 'mock')
  // Wait bounds through the environment, as the study's harness set them.
  assert.equal(Number(services.mock.environment.MIN_WAIT_TIME_SEC), mock.options.min_wait)
  assert.equal(Number(services.mock.environment.MAX_WAIT_TIME_SEC), mock.options.max_wait)
  assert.equal(Number(flag(mockArgs, '--seed')), mock.options.seed)
  const mockPort = Number(flag(mockArgs, '--port'))
  assert.equal(containerPort(services.mock), mockPort)

  for (const s of bench.services.values()) {
    if (s.type !== 'serve') continue
    const svc = services[s.name]
    const args: string[] = svc.command
    const expected = s as ServeService
    assert.equal(args[0], 'serve', s.name)
    assert.equal(basename(args[1]), basename(expected.flow), `${s.name} serves ${basename(expected.flow)}`)
    assert.equal(flag(args, '--host'), '0.0.0.0')
    assert.equal(Number(flag(args, '--port')), containerPort(svc), `${s.name} port`)
    assert.equal(flag(args, '--log-level'), expected.options.log_level)
    // Defaults of the ${...:-N} workers/threads variables are the bench's (threads default to serve's 4).
    assert.equal(Number(svc.environment.PROMPTFLOW_WORKER_NUM), expected.options.workers, `${s.name} workers`)
    assert.equal(Number(svc.environment.PROMPTFLOW_WORKER_THREADS), expected.options.threads ?? 4, `${s.name} threads`)
    // ${mock.url} in the bench is the mock service by its compose name.
    assert.equal(expected.env.MOCK_API_ENDPOINT, '${mock.url}')
    assert.equal(svc.environment.MOCK_API_ENDPOINT, `http://mock:${mockPort}/`)
    assert.deepEqual(svc.depends_on, { mock: { condition: 'service_healthy' } })
    assert.match(svc.healthcheck.test.join(' '), new RegExp(`fetch\\('http://127\\.0\\.0\\.1:${containerPort(svc)}/health'\\)`))
  }
  const hostPorts = Object.values(services).flatMap((s: ComposeDoc) => (s.ports ?? []).map((p: string) => p.split(':')[0]))
  assert.equal(new Set(hostPorts).size, hostPorts.length, 'host ports do not clash')
})

test('the one-shot load has the bench load profile, writes to ./reports and never starts by accident', () => {
  const load = compose.services.load
  const args: string[] = load.command
  const profile = bench.load
  assert.deepEqual(load.profiles, ['load'])
  assert.equal(args[0], 'load')
  assert.equal(args[1], `http://static-async:${containerPort(compose.services['static-async'])}${profile.path}`)
  assert.equal(flag(args, '--method'), profile.method)
  assert.deepEqual(JSON.parse(flag(args, '--body') ?? ''), profile.body)
  assert.equal(flag(args, '--header'), `content-type: ${profile.headers['content-type']}`)
  assert.equal(Number(flag(args, '--users')), profile.users)
  assert.equal(Number(flag(args, '--spawn-rate')), profile.spawnRate)
  assert.equal(flag(args, '--run-time'), `${profile.runTimeSec}s`)
  assert.equal(flag(args, '--wait'), profile.wait)
  assert.equal(Number(flag(args, '--timeout')), profile.timeoutSec)
  for (const output of ['--csv', '--json', '--html']) assert.match(flag(args, output) ?? '', /^\/reports\/static-async/)
  assert.deepEqual(load.volumes, ['./reports:/reports'])
  for (const name of ['static-sync', 'static-async', 'flex-async']) assert.deepEqual(load.depends_on[name], { condition: 'service_healthy' })
  // TARGET picks the flow under load.
  assert.equal(readCompose({ TARGET: 'static-sync' }).services.load.command[1], 'http://static-sync:8080/score')
})

/** A compose service's command run on a free loopback port; resolves with its URL. */
async function start(args: string[], env: Record<string, string>, stop: ChildProcess[]): Promise<string> {
  const local = args.map((a, i) => (args[i - 1] === '--host' ? '127.0.0.1' : args[i - 1] === '--port' ? '0' : a))
  const child = spawnCli(local, { env })
  stop.push(child)
  const [, url] = await waitForLine(child, /listening on (http:\/\/\S+?)\/?[\s(]/, 60_000)
  return url
}

test('the compose commands run: mock, three flows answering /score, and the load writing its reports', async (t) => {
  // Fewer workers than the bench (this machine is shared), set the way compose users set them.
  const compose = readCompose({ STATIC_SYNC_WORKER_NUM: '1', STATIC_SYNC_WORKER_THREADS: '2', STATIC_ASYNC_WORKER_NUM: '1', FLEX_ASYNC_WORKER_NUM: '1' })
  const children: ChildProcess[] = []
  const reports = await mkdtemp(join(tmpdir(), 'floodgate-compose-'))
  t.after(async () => {
    await Promise.all(children.map((c) => new Promise<void>((done) => {
      if (c.exitCode !== null || c.signalCode !== null) return done()
      c.once('exit', () => done())
      c.kill('SIGTERM')
      setTimeout(() => c.kill('SIGKILL'), 10_000).unref()
    })))
    await rm(reports, { recursive: true, force: true })
  })
  const services = compose.services
  const mockUrl = await start(services.mock.command, services.mock.environment, children)
  const urls: Record<string, string> = {}
  await Promise.all(['static-sync', 'static-async', 'flex-async'].map(async (name) => {
    const env = { ...services[name].environment, MOCK_API_ENDPOINT: `${mockUrl}/` }
    urls[name] = await start(services[name].command, env, children)
  }))
  for (const [name, url] of Object.entries(urls)) {
    const res = await fetch(`${url}/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"question": "Test question", "chat_history": []}' })
    assert.equal(res.status, 200, name)
    // A DAG answers {"answer": {...}} (its output), the flex flow its return value itself, as in PromptFlow.
    const body = await res.json() as { answer?: { type: string }; type?: string }
    const type = { 'static-sync': 'pf_dag_sync', 'static-async': 'pf_dag_async', 'flex-async': 'pf_flex_async' }[name]
    assert.equal(name === 'flex-async' ? body.type : body.answer?.type, type, JSON.stringify(body))
  }
  // The load service's command as written, shortened and pointed at the local static-async.
  const args = (services.load.command as string[]).map((a, i, all) => {
    if (i === 1) return `${urls['static-async']}/score`
    if (all[i - 1] === '--users') return '4'
    if (all[i - 1] === '--spawn-rate') return '4'
    if (all[i - 1] === '--run-time') return '3s'
    return a.replace(/^\/reports\//, `${reports}/`)
  })
  const run = await runCli([...args, '--quiet'], { timeoutMs: 60_000 })
  assert.equal(run.code, 0, run.stderr)
  const written = (await readdir(reports)).sort()
  assert.deepEqual(written, ['static-async.html', 'static-async.json', 'static-async_exceptions.csv', 'static-async_failures.csv',
    'static-async_stats.csv', 'static-async_stats_history.csv'])
  const result = JSON.parse(await readFile(join(reports, 'static-async.json'), 'utf8')) as LoadResult
  assert.ok(result.aggregated.requests > 0, 'requests were made')
  assert.equal(result.aggregated.failures, 0, JSON.stringify(result.errors))
})
