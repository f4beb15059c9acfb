// `floodgate capacity --ui` in real Chromium, through the real CLI against a loopback server whose capacity
// the test knows: the page loads with no console errors and nothing from elsewhere, shows the calibration,
// the running step's charts from its load's progress lines, each step as it finishes; Stop from the page
// ends the search as Ctrl-C does, capacity.json is written marked interrupted and offered for download.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { CapacityFile } from '../../src/capacity/data.js'
import { cliPage, drawnPoints, skipWithoutChromium } from '../helpers/chromium.js'
import { slotsServer } from '../capacity/helpers/slots-server.js'

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(200)
  }
}

test('capacity --ui: calibration, live step charts, steps as they finish, Stop writes capacity.json', { skip: skipWithoutChromium }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'fg-ui-capacity-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  // 4 slots x 20 ms: the boundary of p50<200 is near 40 users, several steps away; Stop comes before it.
  const server = await slotsServer(4, 20)
  t.after(() => server.close())
  const { child, page, problems, requests, origin } = await cliPage(t, ['capacity', '--target', server.url, '--slo', 'p50<200', '--step-time', '5s', '--budget', '90s',
    '--max-users', '400', '--out', dir, '--ui', '--ui-port', '0'])
  assert.match((await page.textContent('#title'))!, /^Floodgate capacity: /)

  // The running step's charts grow from its load's progress lines.
  await until(async () => (await drawnPoints(page)) >= 2, 'the first step\'s chart')
  // The header's RPS is the running step's, not the (still empty) stats table's.
  await until(async () => Number((await page.textContent('#f-rps'))!.replace(/,/g, '')) > 0, 'the header\'s RPS during a step', 10_000)
  await page.click('#tab-status')
  assert.match((await page.textContent('#t-status'))!, /calibration\d+ sequential requests, service time/)
  assert.match((await page.textContent('#t-status'))!, /runningstep 1, \d+ users?: \d+ of \d+ s/)
  assert.equal(await page.locator('#t-status-rows tbody tr').count(), 0, 'no step has finished yet')

  // Each step appears when it finishes, as the report's steps table has it.
  await until(async () => (await page.locator('#t-status-rows tbody tr').count()) >= 1, 'the first step in the table')
  const header = await page.locator('#t-status-rows thead th').allTextContents()
  assert.deepEqual(header.slice(0, 8), ['Step', 'Load', 'Purpose', 'Result', 'Achieved req/s', 'Asked req/s', 'p50', 'p99'])
  const first = await page.locator('#t-status-rows tbody tr').first().locator('td').allTextContents()
  assert.equal(first[0], '1')
  assert.equal(first[2], 'probe')
  assert.match(first[3]!, /^(pass|FAIL p50<200)$/)
  assert.ok(Number(first[4]) > 0, `achieved ${first[4]}`)
  await until(async () => /runningstep 2,/.test((await page.textContent('#t-status'))!), 'the second step running')

  await page.click('#b-stop')
  await until(async () => (await page.textContent('#f-state')) === 'stopped', 'the search to stop', 30_000)
  assert.match((await page.textContent('#notice'))!, /^capacity search stopped: /)
  const file = JSON.parse(readFileSync(join(dir, 'capacity.json'), 'utf8')) as CapacityFile
  assert.equal(file.interrupted, true)
  assert.equal(file.stop_reason, 'interrupted')
  assert.ok(file.steps.length >= 1 && file.steps[0]!.status === 'ok')
  assert.ok(existsSync(join(dir, 'capacity.html')) && existsSync(join(dir, 'capacity.md')))
  assert.equal(await page.locator('#t-status-rows tbody tr').count(), file.steps.length, 'every step measured is on the page')
  assert.match((await page.textContent('#t-status'))!, /capacity/)

  // capacity.json through the page's own link, and the last step's files.
  await page.click('#tab-downloads')
  const link = await page.getAttribute('#t-downloads a[href$="capacity.json"]', 'href')
  const downloaded = await page.evaluate(async (href) => (await fetch(href!)).text(), link)
  assert.deepEqual(JSON.parse(downloaded), file)
  assert.ok(await page.locator('#t-downloads a[href$="_stats.csv"]').count() === 1, 'the last step\'s CSV')

  assert.deepEqual(problems, [])
  assert.deepEqual(requests.filter((r) => !r.startsWith(`${origin}/`)), [], 'every request goes to the generator')

  child.kill('SIGINT')
  const code = await new Promise((done) => child.once('exit', done))
  assert.equal(code, 130)
})
