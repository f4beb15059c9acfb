// Headless Chromium (Debian's, driven by playwright-core) for the tests that open a page as a user would,
// with every console error, page error and request the page makes collected.
import { existsSync } from 'node:fs'
import type { ChildProcess } from 'node:child_process'
import { chromium, type Browser, type Page } from 'playwright-core'
import { spawnCli, waitForLine } from './cli.js'

export const CHROMIUM = '/usr/bin/chromium'
/** A test's `skip` option: the reason when Chromium is missing. */
export const skipWithoutChromium = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium)`

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run']
  })
}

export interface WatchedPage {
  page: Page
  /** Console errors and uncaught exceptions. */
  problems: string[]
  /** Every URL the page requested. */
  requests: string[]
}

export async function openPage(browser: Browser, viewport = { width: 1280, height: 900 }): Promise<WatchedPage> {
  const page = await browser.newPage({ viewport })
  const problems: string[] = []
  const requests: string[] = []
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()))
  page.on('pageerror', (e) => problems.push(e.message))
  page.on('request', (r) => requests.push(r.url()))
  return { page, problems, requests }
}

/** Points drawn in the requests/s chart. */
export const drawnPoints = (page: Page): Promise<number> => page.evaluate(() => {
  // Runs in the page; the test's compiler has Node's globals, not the DOM's, hence the page's own types here.
  const win = globalThis as unknown as {
    document: { getElementById(id: string): object | null }
    echarts: { getInstanceByDom(e: object): { getOption(): { series: { data: unknown[] }[] } } | undefined }
  }
  const el = win.document.getElementById('chart-rps')
  const chart = el && win.echarts.getInstanceByDom(el)
  return chart ? chart.getOption().series[0]!.data.length : 0
})

/** Starts `floodgate <args>` (with --ui) and opens the page it prints in Chromium; both end with the test. */
export async function cliPage(t: { after(fn: () => unknown): void }, args: string[]): Promise<WatchedPage & { child: ChildProcess; url: string; origin: string }> {
  const child = spawnCli(args)
  t.after(() => child.kill('SIGKILL'))
  const [, url] = await waitForLine(child, /Live page: (http:\/\/\S+)\n/)
  const browser = await launchChromium()
  t.after(() => browser.close())
  const watched = await openPage(browser)
  await watched.page.goto(url!)
  return { ...watched, child, url: url!, origin: new URL(url!).origin }
}
