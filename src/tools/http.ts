// GET over undici for async tools. One keep-alive agent is shared by every run in the process.
// Its per-origin pool is a RoundRobinPool: undici's default Pool looks for a free connection by scanning
// its connections from the first, and with thousands of slow requests in flight (a served flow calling
// an LLM) nearly all are busy, so each request paid a scan of thousands (measured: ~14 us per request
// at 3,600 connections). Round-robin starts after the last connection used, which in steady traffic
// is the one free longest. URLs are parsed once and remembered, not on every call.
import { Agent, RoundRobinPool, type Dispatcher } from 'undici'
import { UpstreamError, messageOf } from '../errors.js'
import { DEFAULT_TIMEOUT_MS, checkTimeout, flattenHeaders, toResponse, type HttpGetOptions, type HttpResponse, type ResponseData } from './response.js'

export interface AsyncHttpGetOptions extends HttpGetOptions {
  /** Cancels the request (pass the signal your tool received). */
  signal?: AbortSignal
}

const agent = new Agent({ factory: (origin, options) => new RoundRobinPool(origin, options) })

interface Target {
  origin: string
  path: string
}
const targets = new Map<string, Target>()
const MAX_TARGETS = 1000

function targetOf(url: string): Target {
  let target = targets.get(url)
  if (target === undefined) {
    const parsed = new URL(url)
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError(`unsupported protocol ${parsed.protocol}`)
    target = { origin: parsed.origin, path: parsed.pathname + parsed.search }
    // Tools that build a new URL per call (a query string per question) must not grow this forever.
    if (targets.size >= MAX_TARGETS) targets.clear()
    targets.set(url, target)
  }
  return target
}

/** Fetches `url` and returns its plain data; rejects with UpstreamError naming the URL. */
export async function fetchText(url: string, timeoutMs: number, headers?: Record<string, string>, signal?: AbortSignal): Promise<ResponseData> {
  // undici's own timers bound the wait (for the headers, then between body chunks) rather than
  // AbortSignal.timeout + AbortSignal.any: those allocate signals, timers and weak references on every
  // call, which showed up as a large share of a served flow's CPU.
  try {
    const { origin, path } = targetOf(url)
    const options: Dispatcher.RequestOptions = { origin, path, method: 'GET', headers, signal, headersTimeout: timeoutMs, bodyTimeout: timeoutMs }
    const res = await agent.request(options)
    const body = await res.body.text()
    return { status: res.statusCode, headers: flattenHeaders(res.headers), body }
  } catch (err) {
    if (signal?.aborted) throw signal.reason ?? err
    const code = (err as { code?: string }).code
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      throw new UpstreamError(`GET ${url}: no response within ${timeoutMs} ms`, { url })
    }
    throw new UpstreamError(`GET ${url} failed: ${messageOf(err)}`, { url, cause: err })
  }
}

/** Async GET for async tools. Does not throw on HTTP error statuses: check `status`, as with fetch. */
export async function httpGet(url: string, options: AsyncHttpGetOptions = {}): Promise<HttpResponse> {
  const timeoutMs = checkTimeout('httpGet', options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
  return toResponse(url, await fetchText(url, timeoutMs, options.headers, options.signal))
}
