// The live page in real Chromium against a real load on a loopback server: it loads with no console
// errors and no request leaving the generator, starts the test, its charts grow each second, Edit's new
// user count reaches the server (its own connections and request rate), Stop ends the test and every
// output the flags asked for is written; the page carries its token on every call.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { repoRoot } from '../helpers/cli.js'
import { cliPage, drawnPoints, skipWithoutChromium } from '../helpers/chromium.js'
import { startServer, type TestServer } from '../load/helpers/server.js'

const TOKEN = 'page-test-token-0123456789'

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(100)
  }
}

async function serverRate(server: TestServer, ms: number): Promise<number> {
  const before = server.count()
  await sleep(ms)
  return ((server.count() - before) * 1000) / ms
}

test('the live page runs a real load: charts update, Edit changes the users, Stop writes the outputs', { skip: skipWithoutChromium }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-ui-page-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const server = await startServer()
  t.after(() => server.close())
  const json = join(dir, 'out.json')
  const html = join(dir, 'out.html')
  // No --run-time: the test waits for the page. Each user sends 10 requests/s (0.1 s wait).
  const { child, page, problems, requests, origin } = await cliPage(t, ['load', `${server.url}/x`, '--users', '2', '--spawn-rate', '100', '--wait', 'constant:0.1', '--quiet',
    '--ui', '--ui-port', '0', '--ui-token', TOKEN, '--json', json, '--csv', join(dir, 'out'), '--html', html])
  await page.waitForSelector('#form:not([hidden])')
  assert.equal(server.count(), 0, 'nothing runs before the page starts it')
  await page.fill('#in-users', '2')
  await page.fill('#in-spawn', '100')
  await page.fill('#in-time', '60s')
  await page.click('#b-submit')

  await until(() => server.openConnections() === 2, 'the 2 users')
  await until(async () => (await drawnPoints(page)) >= 2, 'a chart with 2 points')
  const first = await drawnPoints(page)
  await until(async () => (await drawnPoints(page)) >= first + 2, 'the chart to grow')
  const before = await serverRate(server, 1500)

  await page.click('#b-edit')
  await page.fill('#in-users', '8')
  await page.fill('#in-spawn', '100')
  await page.click('#b-submit')
  await until(() => server.openConnections() === 8, 'the 8 users', 10_000)
  await sleep(300)
  const after = await serverRate(server, 1500)
  assert.ok(after > 2.5 * before, `the server's rate: ${before.toFixed(1)}/s with 2 users, ${after.toFixed(1)}/s with 8`)
  await until(async () => (await page.textContent('#f-users')) === '8', 'the header to show 8 users')
  await page.click('#tab-stats')
  assert.match((await page.textContent('#t-stats'))!, /GET\/x\d+0.*Aggregated/)
  await page.click('#tab-events')
  assert.match((await page.textContent('#t-events'))!, /users set to 8 at 100\/s by ui/)

  await page.click('#b-stop')
  await until(async () => (await page.textContent('#f-state')) === 'stopped', 'the test to stop')
  assert.match((await page.textContent('#notice'))!, /test stopped after [\d.]+ s: \d+ requests, 0 failures; wrote .*out\.json/)
  for (const file of [json, html, ...['stats', 'stats_history', 'failures', 'exceptions'].map((s) => join(dir, `out_${s}.csv`))]) {
    assert.ok(existsSync(file), `${file} written`)
  }
  const result = JSON.parse(readFileSync(json, 'utf8')) as { interrupted: boolean; events: { users: number }[]; aggregated: { requests: number } }
  assert.equal(result.interrupted, true)
  assert.deepEqual(result.events.map((e) => e.users), [8])
  assert.equal(result.aggregated.requests, server.count())
  assert.ok(readFileSync(html, "utf8").includes("users set to 8 at 100/s by ui"), "the HTML report shows the change")

  // The last test's downloads, through the page's link (its token included).
  await page.click('#tab-downloads')
  const link = await page.getAttribute('#t-downloads a[href*="_stats.csv"]', 'href')
  const csv = await page.evaluate(async (href) => (await fetch(href!)).text(), link)
  assert.match(csv, /^Type,Name,Request Count,Failure Count,/)
  assert.match(csv, new RegExp(`GET,/x,${result.aggregated.requests},0,`))

  assert.deepEqual(problems, [])
  assert.deepEqual(requests.filter((r) => !r.startsWith(`${origin}/`)), [], 'every request goes to the generator')
  assert.ok(requests.every((r) => r.includes(`token=${TOKEN}`)), 'every call carries the token')
  await page.click('#tab-charts')
  const shots = join(repoRoot, 'test-output')
  mkdirSync(shots, { recursive: true })
  await page.screenshot({ path: join(shots, 'ui-load.png') })

  child.kill('SIGINT')
  const code = await new Promise((done) => child.once('exit', done))
  assert.equal(code, 0)
})
