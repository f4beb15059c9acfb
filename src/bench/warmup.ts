// Before the load: wait until the target answers /health, then send a few sequential requests. They warm
// the server up and, being alone on the server, measure its service time at low load.
import { setTimeout as sleep } from 'node:timers/promises'
import { request } from 'undici'
import { StartupError } from '../errors.js'
import type { LoadProfile } from './config-types.js'

export interface RequestSpec {
  method: string
  headers: Record<string, string>
  body?: string
}

/** The request every user sends, as bytes and headers (a non-string body is sent as JSON). */
export function requestSpec(load: LoadProfile): RequestSpec {
  const headers = { ...load.headers }
  if (load.body === undefined) return { method: load.method, headers }
  const body = typeof load.body === 'string' ? load.body : JSON.stringify(load.body)
  if (typeof load.body !== 'string' && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
    headers['content-type'] = 'application/json'
  }
  return { method: load.method, headers, body }
}

/**
 * Polls `url` until it answers 2xx (or anything at all, with `anyAnswer`: a service we did not start may
 * have no /health); throws StartupError naming `what` after `timeoutMs`.
 */
export async function waitHealthy(what: string, url: string, timeoutMs: number, signal?: AbortSignal, anyAnswer = false): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = 'no answer'
  while (Date.now() < deadline && !signal?.aborted) {
    try {
      const res = await request(url, { headersTimeout: 2000, bodyTimeout: 2000 })
      await res.body.dump()
      if (res.statusCode < 300 || anyAnswer) return
      last = `HTTP ${res.statusCode}`
    } catch (err) {
      last = (err as Error).message
    }
    await sleep(200)
  }
  throw new StartupError(`${what}: ${url} not healthy after ${Math.round(timeoutMs / 1000)} s (last: ${last})`)
}

/** Sends `count` requests one after another; returns each one's latency in ms. A non-2xx answer is fatal. */
export async function warmUp(what: string, url: string, spec: RequestSpec, count: number, timeoutSec: number): Promise<number[]> {
  const latencies: number[] = []
  for (let i = 0; i < count; i++) {
    const started = performance.now()
    let status: number
    let text: string
    try {
      const res = await request(url, {
        method: spec.method as 'GET', headers: spec.headers, body: spec.body,
        headersTimeout: timeoutSec * 1000, bodyTimeout: timeoutSec * 1000
      })
      status = res.statusCode
      text = await res.body.text()
    } catch (err) {
      throw new StartupError(`${what}: warm-up request ${i + 1} to ${spec.method} ${url} failed: ${(err as Error).message}`)
    }
    if (status >= 400) {
      throw new StartupError(`${what}: warm-up request ${i + 1} to ${spec.method} ${url} answered ${status}: ${text.slice(0, 300)}`)
    }
    latencies.push(performance.now() - started)
  }
  return latencies
}
