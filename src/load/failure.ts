// Turns what went wrong with one request into an error kind and a Locust-like error text, so failure
// tables read like Locust's (requests' exception reprs) and existing tooling groups them the same way.
import { STATUS_CODES } from 'node:http'
import type { ErrorKind } from './result.js'

export interface Failure {
  kind: ErrorKind
  error: string
}

/** requests' HTTPError text: "503 Server Error: Service Unavailable for url: /score". */
export function httpFailure(status: number, url: string): Failure {
  const side = status >= 500 ? 'Server' : 'Client'
  const reason = STATUS_CODES[status] ?? 'Unknown'
  return { kind: 'http', error: `HTTPError('${status} ${side} Error: ${reason} for url: ${url}')` }
}

interface ErrorLike {
  code?: string
  name?: string
  message?: string
  cause?: unknown
}

function codeOf(err: ErrorLike): string | undefined {
  if (err.code && err.code !== 'UND_ERR_SOCKET') return err.code
  const cause = err.cause as ErrorLike | undefined
  return cause?.code ?? err.code
}

/** Classifies a transport error from undici (or node:net) into one of Locust's familiar shapes. */
export function transportFailure(raw: unknown, timeoutSec: number): Failure {
  const err = (raw ?? {}) as ErrorLike
  const code = codeOf(err)
  switch (code) {
    case 'ECONNREFUSED':
      return { kind: 'refused', error: "ConnectionRefusedError(111, 'Connection refused')" }
    case 'ECONNRESET':
    case 'EPIPE':
      return { kind: 'reset', error: "ConnectionResetError(104, 'Connection reset by peer')" }
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return { kind: 'timeout', error: `ReadTimeout('Read timed out. (read timeout=${timeoutSec})')` }
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return { kind: 'dns', error: `NameResolutionError('${err.message ?? code}')` }
    case 'UND_ERR_SOCKET':
      // The server closed the connection before (or while) answering: http.client's RemoteDisconnected.
      return { kind: 'closed', error: "RemoteDisconnected('Remote end closed connection without response')" }
    default:
      return { kind: 'other', error: `${err.name ?? 'Error'}('${err.message ?? String(raw)}')` }
  }
}

/** Python's repr of a string, as Locust's error texts show them: single quotes unless the text has one. */
function repr(text: string): string {
  return text.includes("'") ? `"${text.replace(/"/g, '\\"')}"` : `'${text}'`
}

/** A 2xx event stream that failed: an error event, no content, or a chunk that cannot be read. */
export function streamFailure(why: string): Failure {
  return { kind: 'stream', error: `StreamError(${repr(why)})` }
}

/** A transport error after an event stream had started: the stream was cut; what it had sent is kept. */
export function streamCutFailure(raw: unknown, timeoutSec: number): Failure {
  return streamFailure(`the stream was cut: ${transportFailure(raw, timeoutSec).error}`)
}
