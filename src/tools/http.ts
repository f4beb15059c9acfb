// GET over undici for async tools (its keep-alive pool is shared by every run in the process).
import { request } from 'undici'
import { UpstreamError, messageOf } from '../errors.js'
import { DEFAULT_TIMEOUT_MS, checkTimeout, flattenHeaders, toResponse, type HttpGetOptions, type HttpResponse, type ResponseData } from './response.js'

export interface AsyncHttpGetOptions extends HttpGetOptions {
  /** Cancels the request (pass the signal your tool received). */
  signal?: AbortSignal
}

/** Fetches `url` and returns its plain data; rejects with UpstreamError naming the URL. */
export async function fetchText(url: string, timeoutMs: number, headers?: Record<string, string>, signal?: AbortSignal): Promise<ResponseData> {
  const timeout = AbortSignal.timeout(timeoutMs)
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout
  try {
    const res = await request(url, { method: 'GET', headers, signal: combined })
    const body = await res.body.text()
    return { status: res.statusCode, headers: flattenHeaders(res.headers), body }
  } catch (err) {
    if (signal?.aborted) throw err
    if (timeout.aborted) throw new UpstreamError(`GET ${url}: no response within ${timeoutMs} ms`, { url })
    throw new UpstreamError(`GET ${url} failed: ${messageOf(err)}`, { url, cause: err })
  }
}

/** Async GET for async tools. Does not throw on HTTP error statuses: check `status`, as with fetch. */
export async function httpGet(url: string, options: AsyncHttpGetOptions = {}): Promise<HttpResponse> {
  const timeoutMs = checkTimeout('httpGet', options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
  return toResponse(url, await fetchText(url, timeoutMs, options.headers, options.signal))
}
