// The bytes of the plan's one request, built once for the closed loop's fast path (raw-client.ts), or
// null when the request needs something only undici does: TLS, several requests (--openai), a stream
// read with --stream sse/openai, HEAD or CONNECT, or a header undici handles itself or refuses (host,
// connection, content-length, expect...). The bytes are the ones undici writes for the same request:
// request line, host, `connection: keep-alive`, the headers as given, content-length for a body.
import type { Plan } from './options.js'

/** Headers undici gives a meaning of its own (or refuses): a request carrying one stays on undici. */
const UNDICI_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade', 'expect', 'te'])
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
/** undici's own test for a header value: tab, printable ASCII and latin-1 bytes, nothing else. */
const VALUE = /^[\t\x20-\x7e\x80-\xff]*$/
/** Methods undici writes a content-length for even with no body. */
const PAYLOAD_METHODS = new Set(['PUT', 'POST', 'PATCH', 'QUERY', 'PROPFIND', 'PROPPATCH'])

export interface RawTarget {
  host: string
  port: number
  request: Buffer
}

export function rawTarget(plan: Plan): RawTarget | null {
  const url = new URL(plan.origin)
  if (url.protocol !== 'http:') return null
  if (plan.openai || (plan.stream !== 'auto' && plan.stream !== 'none')) return null
  if (plan.method === 'HEAD' || plan.method === 'CONNECT') return null
  if (!/^\/[\x21-\x7e]*$/.test(plan.path)) return null
  let head = `${plan.method} ${plan.path} HTTP/1.1\r\nhost: ${url.host}\r\nconnection: keep-alive\r\n`
  for (const [name, value] of Object.entries(plan.headers)) {
    if (UNDICI_HEADERS.has(name.toLowerCase()) || !TOKEN.test(name) || !VALUE.test(value)) return null
    head += `${name}: ${value}\r\n`
  }
  const body = plan.body && plan.body.length > 0 ? plan.body : null
  if (body || PAYLOAD_METHODS.has(plan.method)) head += `content-length: ${body ? body.length : 0}\r\n`
  head += '\r\n'
  const headBytes = Buffer.from(head, 'latin1')
  // URL.hostname keeps an IPv6 address's brackets; net.connect wants it bare.
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname
  return { host, port: Number(url.port || 80), request: body ? Buffer.concat([headBytes, body]) : headBytes }
}
