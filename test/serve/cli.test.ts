// `floodgate serve` as a user runs it: the ready line, startup failures, signals, and the cluster's
// restart of a killed worker. Each test stops every process it starts.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { connect, createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { runCli } from '../helpers/cli.js'
import { READY, exited, logLines, serve, stop, workerPids } from './cli-helpers.js'
import { call, fixture, score, startMockApi } from './helpers.js'

/** The per-request log lines (pino JSON) in a server's output. */
function requestLines(output: string): Array<Record<string, unknown>> {
  return logLines(output).filter((l) => l.msg === 'request')
}

for (const workers of ['1', '2']) {
  test(`bad flow folder (--workers ${workers}): exits 1 with the validation message, leaves no server`, async () => {
    // runCli resolves on 'close', i.e. once every process holding its output (workers too) has exited.
    const r = await runCli(['serve', fixture('bad'), '--port', '0', '--workers', workers])
    assert.equal(r.code, 1)
    assert.doesNotMatch(r.stdout, READY)
    assert.match(r.stderr, /^floodgate: .*bad[/\\]flow\.dag\.yaml.*nowhere/m)
  })

  test(`port already in use (--workers ${workers}): a clear message naming the port`, async (t) => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    t.after(() => new Promise<void>((resolve) => blocker.close(() => resolve())))
    const port = (blocker.address() as { port: number }).port
    const r = await runCli(['serve', fixture('wait'), '--port', String(port), '--workers', workers])
    assert.equal(r.code, 1)
    assert.match(r.stderr, new RegExp(`^floodgate: port ${port} on 127\\.0\\.0\\.1 is already in use; stop the other server or choose another --port$`, 'm'))
  })
}

test('bad flag values exit 2 naming the flag', async () => {
  const [r, env] = await Promise.all([
    runCli(['serve', fixture('wait'), '--workers', '0']),
    runCli(['serve', fixture('wait'), '--port', '0'], { env: { PROMPTFLOW_WORKER_NUM: 'many' } })
  ])
  assert.equal(r.code, 2)
  assert.match(r.stderr, /--workers <n>.*expected a whole number of at least 1, got "0"/)
  assert.equal(env.code, 2)
  assert.match(env.stderr, /^floodgate: environment variable PROMPTFLOW_WORKER_NUM must be a whole number of at least 1, got "many"$/m)
})

test('--workers 1: SIGTERM with runs in flight lets them finish, then exits 0', async (t) => {
  const { child, url, output } = await serve([fixture('wait'), '--port', '0', '--workers', '1', '--threads', '1'])
  t.after(() => stop(child))
  const inFlight = [score(url, { ms: 1500, tag: 'a' }), score(url, { ms: 1500, tag: 'b' })]
  await sleep(300)
  child.kill('SIGTERM')
  const answers = await Promise.all(inFlight)
  for (const a of answers) assert.equal(a.status, 200, a.text)
  assert.deepEqual(answers.map((a) => (a.body as { tag: string }).tag), ['a', 'b'])
  const { code } = await exited(child)
  assert.equal(code, 0, output())
  const lines = requestLines(output())
  assert.equal(lines.length, 2, 'one log line per request')
  for (const line of lines) {
    assert.equal(line.method, 'POST')
    assert.equal(line.url, '/score')
    assert.equal(line.status, 200)
    assert.match(String(line.reqId), /^[0-9a-f-]{36}$/)
    assert.ok(Number(line.ms) >= 1500, `ms ${String(line.ms)}`)
  }
})

/** Resolves with the error code of a fresh TCP connection to `url`'s port, or 'connected'. */
function connectOutcome(url: string): Promise<string> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname)
    socket.once('connect', () => {
      socket.destroy()
      resolve('connected')
    })
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message))
  })
}

test('--workers 1: after SIGTERM new connections are refused, and a run past --grace is cut at the grace period', async (t) => {
  const { child, url, output } = await serve([fixture('wait'), '--port', '0', '--workers', '1', '--grace', '1'])
  t.after(() => stop(child))
  assert.equal(await connectOutcome(url), 'connected')
  const long = score(url, { ms: 20_000 }).then((r) => `answered ${r.status}`, (err: Error) => `cut: ${err.message}`)
  await sleep(300)
  const signalledAt = performance.now()
  child.kill('SIGTERM')
  await sleep(200)
  assert.equal(await connectOutcome(url), 'ECONNREFUSED', 'a new connection after SIGTERM')
  const { code } = await exited(child)
  const exitMs = performance.now() - signalledAt
  assert.equal(code, 0, output())
  // The 20 s run is cut when the 1 s grace period ends, not before and not when it would have finished.
  assert.ok(exitMs >= 900 && exitMs < 5000, `exited ${Math.round(exitMs)} ms after SIGTERM with --grace 1`)
  assert.match(await long, /^cut: /)
})

test('cluster: the study flow answers in about 1.25 s; a SIGKILLed worker is restarted; SIGTERM drains and exits 0', async (t) => {
  const mock = await startMockApi(1000)
  t.after(() => mock.close())
  const example = new URL('../../examples/promptflow-serve/static_async', import.meta.url).pathname
  const { child, url, output } = await serve([example, '--port', '0', '--workers', '2', '--threads', '1', '--log-level', 'debug'], { MOCK_API_ENDPOINT: mock.url })
  t.after(() => stop(child))

  const started = performance.now()
  const first = await score(url, { question: 'hi', chat_history: [] })
  const elapsed = performance.now() - started
  assert.equal(first.status, 200, first.text)
  const answer = (first.body as { answer: { type: string; total_time_sec: number } }).answer
  assert.equal(answer.type, 'pf_dag_async')
  assert.equal(answer.total_time_sec, 1)
  assert.ok(elapsed >= 1200 && elapsed < 3000, `answered in ${elapsed} ms`)

  const pids = workerPids(output())
  assert.equal(pids.length, 2)
  // Each worker reports the admission limits it took: the async defaults, none given.
  for (const line of output().split('\n').filter((l) => l.includes('"worker ready"'))) {
    const ready = JSON.parse(line) as { maxConcurrency: number; queue: number }
    assert.deepEqual([ready.maxConcurrency, ready.queue], [10_000, 1_000])
  }
  process.kill(pids[0], 'SIGKILL')
  // Wait until the primary has seen the death: a connection the dying worker accepted in its last
  // instant is reset with it.
  for (let i = 0; i < 100 && !/worker exited unexpectedly/.test(output()); i++) await sleep(50)
  // The other worker keeps answering while the primary restarts the dead one.
  const during = await call(`${url}/health`)
  assert.equal(during.status, 200)
  for (let i = 0; i < 100 && workerPids(output()).length < 3; i++) await sleep(100)
  assert.equal(workerPids(output()).length, 3, `no restart seen:\n${output()}`)
  assert.match(output(), /"signal":"SIGKILL".*"msg":"worker exited unexpectedly; restarting it"/)
  const statuses = await Promise.all(Array.from({ length: 6 }, () => call(`${url}/health`).then((r) => r.status)))
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200])

  // /metrics sums every worker. Send /health on fresh connections until both live workers have answered
  // some (their log lines name the process), so that one worker's own count cannot equal the total.
  let sent = 1 + statuses.length
  const healthPids = (): Set<number> => new Set(requestLines(output()).filter((l) => l.url === '/health').map((l) => Number(l.pid)))
  for (let i = 0; i < 40 && healthPids().size < 2; i++) {
    assert.equal((await call(`${url}/health`, { headers: { connection: 'close' } })).status, 200)
    sent++
    await sleep(20)
  }
  assert.equal(healthPids().size, 2, `both workers answered /health:\n${output()}`)
  const metrics = await call(`${url}/metrics`)
  const healthCount = Number(/floodgate_http_requests_total\{route="\/health",status="200"\} (\d+)/.exec(metrics.text)?.[1])
  assert.equal(healthCount, sent, 'the /health answers of both workers, summed')

  const inFlight = [score(url, { question: 'a' }), score(url, { question: 'b' }), score(url, { question: 'c' })]
  await sleep(300)
  child.kill('SIGTERM')
  const answers = await Promise.all(inFlight)
  for (const a of answers) assert.equal(a.status, 200, a.text)
  const { code } = await exited(child)
  assert.equal(code, 0, output())
})
