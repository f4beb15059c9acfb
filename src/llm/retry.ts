// When to retry an LLM call and how long to wait: the openai client's policy (429, 408, 409 and 5xx
// statuses and connection failures; exponential backoff from 0.5 s up to 8 s with up to 25% jitter),
// and a server's retry-after / retry-after-ms when it gives one (up to a minute).

const INITIAL_DELAY_MS = 500
const MAX_DELAY_MS = 8_000
const MAX_RETRY_AFTER_MS = 60_000

export function isRetriableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500
}

// Failures of the connection rather than answers: worth another attempt.
const RETRIABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'
])

export function isRetriableError(err: unknown): boolean {
  return RETRIABLE_CODES.has(String((err as { code?: unknown }).code))
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** The wait a server asked for, in ms, or null when it gave none (or an unusable one). */
export function retryAfterMs(headers: Record<string, string | string[] | undefined>, now = Date.now()): number | null {
  const ms = Number(header(headers, 'retry-after-ms'))
  if (header(headers, 'retry-after-ms') !== undefined && Number.isFinite(ms) && ms >= 0) return ms <= MAX_RETRY_AFTER_MS ? ms : null
  const value = header(headers, 'retry-after')
  if (value === undefined) return null
  let wait = Number(value) * 1000
  if (!Number.isFinite(wait)) wait = Date.parse(value) - now
  return Number.isFinite(wait) && wait >= 0 && wait <= MAX_RETRY_AFTER_MS ? wait : null
}

/** The wait before retry number `retry` (0 for the first). */
export function backoffMs(retry: number, random: () => number = Math.random): number {
  const base = Math.min(INITIAL_DELAY_MS * 2 ** retry, MAX_DELAY_MS)
  return base * (1 - 0.25 * random())
}
