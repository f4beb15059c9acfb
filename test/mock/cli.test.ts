import { test } from 'node:test'
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer } from 'node:net'
import type { ChildProcess } from 'node:child_process'
import { eachCase, runCli, spawnCli, waitForLine } from '../helpers/cli.js'
import type { MockStatsSnapshot } from '../../src/mock/index.js'
import { get, post } from './helpers/mock.js'

const ready = /floodgate mock: listening on http:\/\/127\.0\.0\.1:(\d+)\n/

async function startCli(t: { after: (fn: () => unknown) => void }, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; url: string }> {
  const child = spawnCli(['mock', '--port', '0', ...args], { env })
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  const m = await waitForLine(child, ready)
  return { child, url: `http://127.0.0.1:${m[1]}` }
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  const [code] = (await exited) as [number | null]
  return code
}

test('floodgate mock prints the ready line, serves, and exits 0 on SIGTERM', async (t) => {
  const { child, url } = await startCli(t, ['--min-wait', '0', '--max-wait', '0'])
  const r = await get(`${url}/`)
  assert.equal(r.status, 200)
  assert.match(r.text, /"min_wait_time_sec":0,"max_wait_time_sec":0\}$/)
  assert.equal(await stop(child), 0)
})

test('SIGINT also closes and exits 0, with requests still waiting', async (t) => {
  const { child, url } = await startCli(t, ['--min-wait', '30', '--max-wait', '30'])
  const pending = get(`${url}/`).catch((err: { code?: string }) => err.code)
  await new Promise((r) => setTimeout(r, 200))
  const exited = once(child, 'exit')
  child.kill('SIGINT')
  assert.equal(((await exited) as [number | null])[0], 0)
  assert.equal(await pending, 'UND_ERR_SOCKET')
})

test('MIN_WAIT_TIME_SEC and MAX_WAIT_TIME_SEC are the defaults of --min-wait and --max-wait', async (t) => {
  const { child, url } = await startCli(t, [], { MIN_WAIT_TIME_SEC: '0.01', MAX_WAIT_TIME_SEC: '0.02' })
  const r = await get(`${url}/`)
  assert.match(r.text, /"min_wait_time_sec":0\.01,"max_wait_time_sec":0\.02\}$/)
  assert.equal(await stop(child), 0)
})

test('--workers 2 shares one port and /stats sums both workers', async (t) => {
  const { child, url } = await startCli(t, ['--workers', '2', '--min-wait', '0', '--max-wait', '0'])
  for (let i = 0; i < 10; i++) assert.equal((await get(`${url}/`)).status, 200)
  const s = JSON.parse((await get(`${url}/stats`)).text) as MockStatsSnapshot
  assert.equal(s.workers, 2)
  assert.equal(s.received, 10)
  assert.deepEqual(s.byStatus, { '200': 10 })
  const reset = JSON.parse((await post(`${url}/stats/reset`, '')).text) as MockStatsSnapshot
  assert.equal(reset.received, 0)
  assert.equal(reset.workers, 2)
  assert.equal(await stop(child), 0)
})

const TIMER_LIMIT = '2147483 s (24.8 days), the longest delay a Node.js timer holds'

const badFlags: [string[], string][] = [
  [['--error-rate', 'abc'], '--error-rate must be a number between 0 and 1, got "abc"'],
  [['--error-rate', '1.5'], '--error-rate must be a number between 0 and 1, got "1.5"'],
  [['--reset-rate', '-0.1'], '--reset-rate must be a number between 0 and 1, got "-0.1"'],
  [['--hang-rate', 'x'], '--hang-rate must be a number between 0 and 1, got "x"'],
  [['--error-rate', '0.6', '--hang-rate', '0.6'], '--error-rate + --reset-rate + --hang-rate must not exceed 1, got 1.2'],
  [['--error-status', '200'], '--error-status must be an integer from 400 to 599, got "200"'],
  [['--port', '70000'], '--port must be an integer from 0 to 65535, got "70000"'],
  [['--min-wait', '-1'], '--min-wait must be a number of seconds >= 0, got "-1"'],
  [['--max-wait', 'soon'], '--max-wait must be a number of seconds >= 0, got "soon"'],
  [['--min-wait', '2'], '--min-wait (2) must not exceed --max-wait (1); set both'],
  [['--seed', '1.5'], '--seed must be an integer from -2147483648 to 4294967295, got "1.5"'],
  [['--latency', 'gamma'], '--latency must be one of fixed, uniform, normal, lognormal, got "gamma"'],
  [['--workers', '0'], '--workers must be an integer from 1 to 64, got "0"'],
  [['--ttft', '-1'], '--ttft must be a number of seconds >= 0, got "-1"'],
  [['--tokens-per-sec', '0'], '--tokens-per-sec must be a number > 0, got "0"'],
  [['--rate-limit', '2.5'], '--rate-limit must be an integer from 0 to 1000000, got "2.5"'],
  // Longer than a Node.js timer holds: the mock would have answered after 1 ms.
  [['--max-wait', '3000000'], `--max-wait must be at most ${TIMER_LIMIT}, got "3000000"`],
  [['--min-wait', '2147484', '--max-wait', '2147484'], `--min-wait must be at most ${TIMER_LIMIT}, got "2147484"`],
  [['--ttft', '2147484'], `--ttft must be at most ${TIMER_LIMIT}, got "2147484"`],
  [['--tokens-per-sec', '0.0000001'], `--tokens-per-sec must be at least 1/2147483 (one token every 10000000 s is longer than ${TIMER_LIMIT}), got "1e-7"`]
]

test('each bad flag exits 2 with a message naming it', async () => {
  await eachCase(badFlags, async ([args, message]) => {
    const r = await runCli(['mock', '--port', '0', ...args], { env: { MIN_WAIT_TIME_SEC: '', MAX_WAIT_TIME_SEC: '' } })
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`)
    assert.equal(r.stderr, `floodgate: ${message}\n`)
    assert.equal(r.stdout, '')
  })
})

test('a bad MIN_WAIT_TIME_SEC exits 2 naming the variable', async () => {
  const r = await runCli(['mock', '--port', '0'], { env: { MIN_WAIT_TIME_SEC: 'one' } })
  assert.equal(r.code, 2)
  assert.equal(r.stderr, 'floodgate: MIN_WAIT_TIME_SEC must be a number of seconds >= 0, got "one"\n')
})

test('a port in use exits 1 with a message naming the port', async (t) => {
  const blocker = createServer()
  blocker.listen(0, '127.0.0.1')
  await once(blocker, 'listening')
  t.after(() => blocker.close())
  const port = (blocker.address() as { port: number }).port
  for (const workers of ['1', '2']) {
    const r = await runCli(['mock', '--port', String(port), '--workers', workers])
    assert.equal(r.code, 1, r.stderr)
    assert.equal(r.stderr, `floodgate: port ${port} on 127.0.0.1 is already in use (--port); stop what holds it or pick another port\n`)
  }
})
