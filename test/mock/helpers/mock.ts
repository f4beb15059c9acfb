// Starts an in-process mock on a free loopback port for one test and stops it afterwards.
import type { TestContext } from 'node:test'
import { request } from 'undici'
import { startMock, type MockOptions, type MockServer } from '../../../src/mock/index.js'

export async function withMock(t: TestContext, options: Partial<MockOptions> = {}): Promise<MockServer> {
  // env {} keeps the caller's MIN_WAIT_TIME_SEC / MAX_WAIT_TIME_SEC out of the test.
  const mock = await startMock({ host: '127.0.0.1', port: 0, minWait: 0, maxWait: 0, ...options }, {})
  t.after(() => mock.close())
  return mock
}

export interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

export async function get(url: string): Promise<Answer> {
  const r = await request(url)
  return { status: r.statusCode, headers: r.headers, text: await r.body.text() }
}

export async function post(url: string, body: string, contentType = 'application/json'): Promise<Answer> {
  const r = await request(url, { method: 'POST', body, headers: { 'content-type': contentType } })
  return { status: r.statusCode, headers: r.headers, text: await r.body.text() }
}

export function chat(url: string, body: unknown): Promise<Answer> {
  return post(`${url}/v1/chat/completions`, typeof body === 'string' ? body : JSON.stringify(body))
}

/** Polls until `check` passes (counters settle a moment after a client gives up). */
export async function eventually(check: () => Promise<void>, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs
  for (;;) {
    try {
      await check()
      return
    } catch (err) {
      if (Date.now() > end) throw err
      await new Promise((r) => setTimeout(r, 25))
    }
  }
}
