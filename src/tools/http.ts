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
  // undici's own timers bound the wait (for the headers, then between body chunks) rather than
  // AbortSignal.timeout + AbortSignal.any: those allocate signals, timers and weak references on every
  // call, which showed up as a large share of a served flow's CPU.
  try {
    const res = await request(url, { method: 'GET', headers, signal, headersTimeout: timeoutMs, bodyTimeout: timeoutMs })
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
