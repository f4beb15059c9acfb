// `floodgate bench --ui` through the real CLI (real mock, real load processes): the page shows the variant
// running and its seconds, the ones done with the analysis's verdict; Stop from the page ends the bench
// as Ctrl-C does, and the report is written and downloadable.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { request } from 'undici'
import type { LiveMessage } from '../../src/ui/messages.js'
import { spawnCli, waitForLine } from '../helpers/cli.js'
import { writeSmallBench } from '../bench/helpers/bench-fixture.js'

async function state(base: string): Promise<LiveMessage> {
  return (await (await request(`${base}api/state`)).body.json()) as LiveMessage
}

async function until(base: string, check: (m: LiveMessage) => boolean, what: string, ms = 60_000): Promise<LiveMessage> {
  const end = Date.now() + ms
  for (;;) {
    const m = await state(base)
    if (check(m)) return m
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(m.bench)}`)
    await sleep(250)
  }
}

test('bench --ui: the running variant, the finished ones with verdicts, Stop from the page, the report', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-ui-bench-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const file = writeSmallBench(dir, `
  - { name: first, target: mock, method: GET, path: /, body: null, service_time: 0.3 }
  - { name: second, target: mock, method: GET, path: /, body: null, service_time: 0.3, load: { run_time: 60s } }`)
  const out = join(dir, 'out')
  const child = spawnCli(['bench', file, '--out', out, '--ui', '--ui-port', '0'])
  t.after(() => child.kill('SIGKILL'))
  const [, base] = await waitForLine(child, /Live page: (http:\/\/\S+)\n/)

  const running = await until(base!, (m) => m.bench?.[0]?.status === 'running' && m.bench[0].requests > 0, 'the first variant running')
  assert.equal(running.kind, 'bench')
  assert.ok(running.canStop && !running.canEdit && !running.canStart)
  const done = await until(base!, (m) => m.bench?.[0]?.status === 'ok' && m.bench[1]?.status === 'running', 'the first variant done')
  const first = done.bench![0]!
  assert.ok(first.verdict && first.verdict.text.length > 0, 'the first variant has its verdict')
  assert.ok(first.requests > 50)
  assert.equal(done.stats.at(-1)?.name, 'first')
  assert.ok(done.downloads.some((d) => d.label === 'first: JSON result (floodgate report / merge read it)'))

  const stop = await request(`${base}api/stop`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
  assert.equal(stop.statusCode, 200)
  const stopped = await until(base!, (m) => m.state === 'stopped', 'the bench to stop')
  assert.equal(stopped.bench![1]!.status, 'interrupted')
  assert.match(stopped.notice, /^bench stopped: report .*report\.html$/)
  assert.ok(existsSync(join(out, 'report.html')) && existsSync(join(out, 'report.md')))
  const report = stopped.downloads.find((d) => d.label === 'Bench report (HTML)')!
  const res = await request(`${base.replace(/\/$/, '')}${report.href}`)
  assert.equal(res.statusCode, 200)
  assert.match(await res.body.text(), /<html/)

  child.kill('SIGINT')
  const code = await new Promise((done) => child.once('exit', done))
  assert.equal(code, 130)
})
