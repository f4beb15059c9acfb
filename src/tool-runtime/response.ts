// The response shape shared by httpGet (async) and httpGetSync (blocking), close to what Python's
// `requests` gives a tool: status, headers, the body as text, and json().
import { UpstreamError } from '../errors.js'

export interface HttpResponse {
  status: number
  /** Lower-case header names; repeated headers are joined with ", ". */
  headers: Record<string, string>
  body: string
  /** Parses the body as JSON; throws UpstreamError naming the URL when it is not JSON. */
  json(): unknown
}

export interface HttpGetOptions {
  /** Gives up after this many milliseconds (default 60000). */
  timeoutMs?: number
  headers?: Record<string, string>
}

export const DEFAULT_TIMEOUT_MS = 60_000

/** The plain data of a response, as it crosses threads. */
export interface ResponseData {
  status: number
  headers: Record<string, string>
  body: string
}

export function toResponse(url: string, data: ResponseData): HttpResponse {
  return {
    status: data.status,
    headers: data.headers,
    body: data.body,
    json() {
      try {
        return JSON.parse(data.body) as unknown
      } catch (err) {
        throw new UpstreamError(`GET ${url}: response body is not JSON (${(err as Error).message})`, { url })
      }
    }
  }
}

export function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const key in raw) {
    const value = raw[key]
    if (value !== undefined) out[key] = Array.isArray(value) ? value.join(', ') : value
  }
  return out
}

export function checkTimeout(fn: string, timeoutMs: number): number {
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError(`${fn}: timeoutMs must be a positive number of milliseconds, got ${String(timeoutMs)}`)
  }
  return timeoutMs
}
