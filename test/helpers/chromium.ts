// Headless Chromium (Debian's, driven by playwright-core) for the tests that open a page as a user would,
// with every console error, page error and request the page makes collected.
import { existsSync } from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'

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
