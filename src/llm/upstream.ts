// Errors of LLM calls, each naming the node, the URL and what went wrong, e.g.
// `node "answer": LLM call to http://127.0.0.1:1/v1/chat/completions failed: connection refused`.
import { UpstreamError, messageOf } from '../errors.js'
import type { Connection } from './connections.js'

export interface CallPlace {
  node: string
  url: string
  connection: Connection
}

const NETWORK: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the server',
  EPIPE: 'connection closed by the server while sending',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed (temporary DNS failure)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_CLOSED: 'connection closed',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out'
}

/** Words for a failed request (no HTTP answer). */
export function describeFailure(err: unknown, timeoutMs: number): string {
  const code = String((err as { code?: unknown }).code)
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return `no response within ${timeoutMs / 1000} s (connection timeout)`
  if (code === 'UND_ERR_BODY_TIMEOUT') return `the reply stalled: no data for ${timeoutMs / 1000} s (connection timeout)`
  return NETWORK[code] ?? messageOf(err)
}

/** At most `max` characters of `text` on one line, for quoting a server's reply. */
export function excerpt(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max)}...` : flat
}

export function upstreamError(place: CallPlace, what: string, extra: Record<string, unknown> = {}, cause?: unknown): UpstreamError {
  const message = place.connection.redact(`node "${place.node}": LLM call to ${place.url} failed: ${what}`)
  return new UpstreamError(message, { node: place.node, url: place.url, ...extra }, cause === undefined ? undefined : { cause })
}

/** The error of an HTTP error status, quoting OpenAI's error body (`{"error": {"message"}}`) when given. */
export function statusError(place: CallPlace, status: number, body: string, attempts: number): UpstreamError {
  let said = excerpt(body)
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown }
    const inner = typeof parsed.error === 'object' && parsed.error !== null ? parsed.error.message : parsed.error ?? parsed.message
    if (typeof inner === 'string') said = excerpt(inner)
  } catch {
    // not JSON: quote the text as is
  }
  const tries = attempts > 1 ? ` (after ${attempts} attempts)` : ''
  return upstreamError(place, `HTTP ${status}${said ? `: ${said}` : ''}${tries}`, { status, attempts })
}
