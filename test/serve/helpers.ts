// Shared by the serve tests: fixture paths, a loopback stand-in for the study's mock API, an in-process
// server on port 0 with a silent logger, and JSON requests through undici.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import pino from 'pino'
import { request, type Dispatcher } from 'undici'
import { startServer, type RunningServer, type StartServerOptions } from '../../src/serve/server.js'

export const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

/** The study's mock API: GET / waits `waitMs`, then answers JSON. */
export async function startMockApi(waitMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    setTimeout(() => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ total_time_sec: waitMs / 1000, min_wait_time_sec: waitMs / 1000, max_wait_time_sec: waitMs / 1000 }))
    }, waitMs)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** An in-process server for fixture `name` on a free port, logging nothing. */
export function serveFixture(name: string, options: Partial<StartServerOptions> = {}): Promise<RunningServer> {
  return startServer({ flowDir: fixture(name), host: '127.0.0.1', port: 0, threads: 2, logger: pino({ level: 'silent' }), ...options })
}

export interface JsonReply {
  status: number
  headers: Dispatcher.ResponseData['headers']
  body: unknown
  text: string
}

/** Sends a request and reads the whole answer; `body` is parsed JSON when it parses. */
export async function call(
  url: string,
  options: { method?: Dispatcher.HttpMethod; body?: string | Buffer; headers?: Record<string, string>; signal?: AbortSignal } = {}
): Promise<JsonReply> {
  // Bounded, so a request that is never answered fails its test with a message instead of hanging it.
  const res = await request(url, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'), body: options.body, headers: options.headers, signal: options.signal,
    headersTimeout: 30_000, bodyTimeout: 30_000
  })
  const text = await res.body.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // not JSON: keep the text
  }
  return { status: res.statusCode, headers: res.headers, body, text }
}

/** POST /score with a JSON body. */
export function score(base: string, inputs: unknown, headers: Record<string, string> = {}): Promise<JsonReply> {
  return call(`${base}/score`, { body: typeof inputs === 'string' ? inputs : JSON.stringify(inputs), headers: { 'content-type': 'application/json', ...headers } })
}

/** Checks that a server still answers a good request after a bad one. */
export async function assertServes(base: string): Promise<void> {
  const res = await call(`${base}/health`)
  if (res.status !== 200) throw new Error(`server no longer serves: /health answered ${res.status} ${res.text}`)
}
