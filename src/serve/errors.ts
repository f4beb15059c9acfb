// The one place where errors become HTTP statuses and PromptFlow's error envelope:
//   {"error": {"code": "UserError" | "SystemError", "message": "...", "inner_error": {"code": "..."}}}
// Our typed errors carry their status and category; fastify's own errors (bad body, body too large,
// unsupported media type) carry a statusCode and are mapped here too, so every answer looks the same.
import { STATUS_CODES, maxHeaderSize } from 'node:http'
import type { FastifyError, FastifyReply } from 'fastify'
import { isFloodgateError, messageOf, type ErrorCategory } from '../errors.js'
import { head } from '../shown.js'
import { noteError } from './response-tracker.js'

export interface ErrorEnvelope {
  error: {
    code: ErrorCategory
    message: string
    inner_error?: { code: string; [key: string]: unknown }
  }
}

export interface MappedError {
  status: number
  body: ErrorEnvelope
}

// Details worth showing a client; file paths stay in the server's logs.
const PUBLIC_DETAILS = ['node', 'input', 'field'] as const

export function mapError(err: unknown, bodyLimit = 0): MappedError {
  if (isFloodgateError(err)) {
    const inner: { code: string; [key: string]: unknown } = { code: err.code }
    for (const key of PUBLIC_DETAILS) if (err.details[key] !== undefined) inner[key] = err.details[key]
    return envelope(err.httpStatus, err.category, publicMessage(err.httpStatus, err.message), inner)
  }
  const fst = err as Partial<FastifyError>
  if (typeof fst.statusCode === 'number' && fst.statusCode >= 400 && fst.statusCode < 500) {
    return envelope(fst.statusCode, 'UserError', fastifyMessage(fst, bodyLimit), { code: fst.code ?? 'BAD_REQUEST' })
  }
  return envelope(500, 'SystemError', publicMessage(500, `internal server error: ${messageOf(err)}`), { code: 'INTERNAL' })
}

// Server-side failures (5xx) are described by what failed on the server: a tool's file error, an
// upstream's address. A client is told what failed without where: absolute paths become their file name,
// URLs, IP and host:port addresses, and the host of a failed DNS lookup become <address>. The log line of the request keeps the whole message.
// (4xx messages are about the client's own request and are left as they are.)
// A URL's scheme and a host:port's host are read from the start of their run of name characters, not
// from each word in it: "a.a.a..." was tried from every "a" to its end (quadratic: 12 s for 100,000
// characters). The host needs a letter somewhere (times "12:30" and ratios "3:45" have none).
// A source location is not a host:port: "app.js:12:7" (a line and a column), or a line in a file whose
// extension no host name has ("tool.ts:40", "flow.dag.yaml:12"; not ".py", which is Paraguay's).
// IPv6 addresses appear without brackets in Node's connect errors ("connect ECONNREFUSED fd00::7:8443"):
// hex groups and colons holding a "::" (or eight groups or more) and a digit.
const ADDRESS = /(?<![\w+.-])[\w+.-]+:\/\/[^\s'"<>`]*[^\s'"<>`.,;:!?)]|\[[0-9a-f:.]+\](?::\d+)?|(?<![\w:.])(?=[0-9a-f:.]*::|(?:[0-9a-f]{1,4}:){7})(?=[a-f:.]*\d)[0-9a-f:.]*[0-9a-f]|\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b|\blocalhost(?::\d+)?\b|(?<![\w.-])(?=[\d_.-]*[a-z])(?![\w.-]*\.(?:[cm]?[jt]s|[jt]sx|json|ya?ml|jinja2|j2):)[\w.-]+:\d{2,5}\b(?!:\d)/gi
// A host name alone is an address only where Node's resolver names the one it could not resolve
// ("getaddrinfo ENOTFOUND llm.internal.corp", "queryA ETIMEOUT db"): elsewhere it cannot be told from a word.
const RESOLVED_HOST = /\b((?:getaddrinfo|query[A-Za-z]*) E[A-Z_]+) [^\s'"`<>,;()]+/g
// Where an absolute path starts: "/", a home folder ("~/", "~alice/"), a drive ("C:\", "C:/") or a UNC
// share ("\\fileserver\", "\\?\"); also as JSON and escaped strings write them ("\/srv\/x", "C:\\x",
// "\\\\fileserver\\x"). A separator may be doubled for the same reason.
const HOME = String.raw`~(?:[a-z_][\w.-]*)?\/`
const UNC = String.raw`\\{2,}`
// A quoted path, as Node and Python write them ("open '/srv/my flows/x.txt'", 'File "/srv/a b/x.py"'),
// is the text up to the closing quote: folder names with spaces are cut whole. Everything before the
// last separator goes; the quotes and the file name stay.
const QUOTED_PATH = new RegExp(String.raw`(['"\`])(?:\\?\/|${HOME}|[a-z]:[\\/]+|${UNC})(?:(?!\1)[^\n])*[\\/]((?:(?!\1)[^\n\\/])*)\1`, 'gi')
// An unquoted path ends at white space, unless the words after a space lead to the next separator:
// a folder name of several words ("/home/al/my project/x.py", "C:\Program Files (x86)\x.py"). A word
// followed by a space has no dot nor sentence punctuation, so a path ends at its file name or at a
// clause's end ("/srv/a.json is not application/json", "/srv/a.txt: read/write"); the cost is that plain
// words between a folder and a later slash are taken for a folder's ("/srv/chat and/or x" becomes "or x").
// A word ends at a space and a folder at a separator, so each character is read a bounded number of
// times whatever the message: linear, no backtracking across words.
const SPACED_FOLDER = String.raw`(?:[^\s/\\'"\`<>.,;:!?()]+ )*`
// A POSIX path starts at a "/" or "~" that follows no word character or dot (those make it relative:
// a/b, ./a/b, $HOME/a). A "<" may precede it ("</srv/app/x.py>"): markup stays whole without a rule of
// its own, since a path needs a second "/" and ends at "<" or ">" ("</div>", "<br/>"). A folder's name
// may end with the "\" of an escaped "\/".
const POSIX_FOLDER = String.raw`${SPACED_FOLDER}[^\s/'"\`<>]+\/`
const POSIX_PATH = new RegExp(String.raw`(?<![\w.])(?:${HOME}|\\?\/${POSIX_FOLDER})(?:${POSIX_FOLDER})*([^\s/'"\`<>]*)`, 'gi')
// A UNC share's server may already be <address>. Not after a word or "\": "a\\nb" is an escaped line
// break, and a run of backslashes is tried once, from its start, not from each of them (quadratic).
const WINDOWS_FOLDER = String.raw`${SPACED_FOLDER}[^\s\\/'"\`<>]+[\\/]+`
const WINDOWS_PATH = new RegExp(String.raw`(?:\b[a-z]:|(?<![\w\\])${UNC}[^\s\\/'"\`]+)[\\/]+(?:${WINDOWS_FOLDER})*([^\s\\/'"\`<>]*)`, 'gi')

// A 5xx message is a tool's or an upstream's text, which may hold a whole response body or a client's
// input: the client gets its start, the request's log line all of it.
const MAX_PUBLIC_MESSAGE = 1000

export function publicMessage(status: number, message: string): string {
  if (status < 500) return message
  // Drives before POSIX paths: "C:/Users/al/x.py" is one path, not "C:" and a POSIX one. Cut after the
  // rules, which need a whole address or path to recognise it.
  const text = message.replace(ADDRESS, '<address>').replace(RESOLVED_HOST, '$1 <address>').replace(QUOTED_PATH, '$1$2$1').replace(WINDOWS_PATH, '$1').replace(POSIX_PATH, '$1')
  if (text.length <= MAX_PUBLIC_MESSAGE) return text
  const start = head(text, MAX_PUBLIC_MESSAGE)
  return `${start}... (${text.length - start.length} characters more in the server's log)`
}

export function envelope(
  status: number,
  code: ErrorCategory,
  message: string,
  inner?: { code: string; [key: string]: unknown }
): MappedError {
  const body: ErrorEnvelope = { error: { code, message } }
  if (inner) body.error.inner_error = inner
  return { status, body }
}

/** The Content-Type of every JSON body the server writes itself. */
export const JSON_TYPE = 'application/json; charset=utf-8'

/**
 * Sends an error as the envelope, and hands the error to the request's log line. Overload answers carry
 * Retry-After so clients back off.
 */
export function sendError(reply: FastifyReply, err: unknown, bodyLimit = 0): FastifyReply {
  const { status, body } = mapError(err, bodyLimit)
  noteError(reply, err)
  if (status === 503) reply.header('retry-after', RETRY_AFTER_SECONDS)
  return reply.code(status).type(JSON_TYPE).send(JSON.stringify(body))
}

/** Seconds a refused client should wait: about one run of the study's flow. */
export const RETRY_AFTER_SECONDS = '1'

/**
 * A whole HTTP/1.1 answer in the envelope, for a connection that fastify never sees as a request (a
 * malformed one, or one refused at the connection cap); the connection closes after it.
 */
export function rawErrorResponse(mapped: MappedError): string {
  const text = JSON.stringify(mapped.body)
  const retry = mapped.status === 503 ? `retry-after: ${RETRY_AFTER_SECONDS}\r\n` : ''
  return `HTTP/1.1 ${mapped.status} ${STATUS_CODES[mapped.status] ?? ''}\r\ncontent-type: ${JSON_TYPE}\r\n${retry}` +
    `connection: close\r\ncontent-length: ${Buffer.byteLength(text)}\r\n\r\n${text}`
}

/**
 * Answers what Node's HTTP parser refused before fastify saw a request (fastify's clientErrorHandler):
 * oversized headers, headers that took too long, a malformed request line or an unknown method.
 */
export function clientErrorResponse(err: NodeJS.ErrnoException & { reason?: string }, headerTimeoutSeconds: number): string {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return rawErrorResponse(envelope(431, 'UserError', `request headers are larger than the server accepts (${maxHeaderSize / 1024} KiB in all)`, { code: 'HEADERS_TOO_LARGE' }))
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return rawErrorResponse(envelope(408, 'UserError', `request headers did not arrive within ${headerTimeoutSeconds} s (--header-timeout)`, { code: 'HEADER_TIMEOUT' }))
    case 'HPE_INVALID_METHOD':
      return rawErrorResponse(envelope(400, 'UserError', `unknown HTTP method; ${ROUTES}`, { code: 'BAD_METHOD' }))
    default:
      return rawErrorResponse(envelope(400, 'UserError', `malformed HTTP request (${err.reason ?? err.code ?? 'parse error'})`, { code: 'BAD_REQUEST' }))
  }
}

/** What the server answers, for messages about a request it cannot route. */
export const ROUTES = 'this server answers POST /score, POST /feedback, GET /health, GET /version, GET /swagger.json, GET /metrics'

function fastifyMessage(err: Partial<FastifyError>, bodyLimit: number): string {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `request body is larger than the limit of ${bodyLimit} bytes (set with --body-limit)`
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'request body size does not match its Content-Length header'
    default:
      return err.message ?? 'bad request'
  }
}
