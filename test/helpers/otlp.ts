// A loopback OTLP/HTTP collector for tests: takes POST /v1/traces (JSON, as the OpenTelemetry JS
// exporter sends it) and keeps every span with its resource, attributes flattened to plain values.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export type AttrValue = string | number | boolean | AttrValue[] | null

export interface ReceivedSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind: number
  startNs: bigint
  endNs: bigint
  status: { code?: number; message?: string }
  attributes: Record<string, AttrValue>
  resource: Record<string, AttrValue>
  scope: string
}

interface OtlpValue {
  stringValue?: string
  intValue?: number | string
  doubleValue?: number
  boolValue?: boolean
  arrayValue?: { values?: OtlpValue[] }
}
interface OtlpAttr { key: string; value: OtlpValue }
interface OtlpSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  name: string
  kind: number
  startTimeUnixNano: string
  endTimeUnixNano: string
  status?: { code?: number; message?: string }
  attributes?: OtlpAttr[]
}
interface OtlpBody {
  resourceSpans: Array<{ resource?: { attributes?: OtlpAttr[] }; scopeSpans: Array<{ scope?: { name?: string }; spans: OtlpSpan[] }> }>
}

function valueOf(v: OtlpValue): AttrValue {
  if (v.stringValue !== undefined) return v.stringValue
  if (v.intValue !== undefined) return Number(v.intValue)
  if (v.doubleValue !== undefined) return v.doubleValue
  if (v.boolValue !== undefined) return v.boolValue
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(valueOf)
  return null
}

function attrs(list: OtlpAttr[] | undefined): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {}
  for (const a of list ?? []) out[a.key] = valueOf(a.value)
  return out
}

export interface Collector {
  /** The base URL to give --trace otlp=... (http://127.0.0.1:port). */
  url: string
  spans: ReceivedSpan[]
  /** POST requests received, and their content types. */
  requests: string[]
  /** Resolves once at least `n` spans arrived (rejects after timeoutMs). */
  waitForSpans(n: number, timeoutMs?: number): Promise<ReceivedSpan[]>
  close(): Promise<void>
}

/** Starts a collector on 127.0.0.1, port 0. `status` answers every request with that HTTP status. */
export async function startCollector(status = 200): Promise<Collector> {
  const spans: ReceivedSpan[] = []
  const requests: string[] = []
  const waiters: Array<() => void> = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      requests.push(`${req.method} ${req.url} ${req.headers['content-type'] ?? ''}`)
      if (status === 200 && req.method === 'POST' && req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpBody
        for (const rs of body.resourceSpans) {
          const resource = attrs(rs.resource?.attributes)
          for (const ss of rs.scopeSpans) {
            for (const s of ss.spans) {
              const span: ReceivedSpan = {
                traceId: s.traceId,
                spanId: s.spanId,
                name: s.name,
                kind: s.kind,
                startNs: BigInt(s.startTimeUnixNano),
                endNs: BigInt(s.endTimeUnixNano),
                status: s.status ?? {},
                attributes: attrs(s.attributes),
                resource,
                scope: ss.scope?.name ?? ''
              }
              if (s.parentSpanId) span.parentSpanId = s.parentSpanId
              spans.push(span)
            }
          }
        }
        for (const w of waiters.splice(0)) w()
      }
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    requests,
    waitForSpans(n, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the collector got ${spans.length} spans, not ${n}, within ${timeoutMs} ms`)), timeoutMs)
        const check = (): void => {
          if (spans.length >= n) {
            clearTimeout(timer)
            resolve(spans)
          } else {
            waiters.push(check)
          }
        }
        check()
      })
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
