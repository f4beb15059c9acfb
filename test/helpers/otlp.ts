// A loopback OTLP/HTTP collector for tests: takes POST /v1/traces as OTLP's two HTTP encodings,
// protobuf (application/x-protobuf, decoded by protobufjs from the OTLP trace protos below) and JSON
// (application/json), and keeps every span with its resource, attributes flattened to plain values.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import protobuf from 'protobufjs'

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
  /** The span's W3C trace flags and OTLP's is-remote bits (a protobuf field; JSON: when sent). */
  flags?: number
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
  flags?: number
}
interface OtlpBody {
  resourceSpans: Array<{ resource?: { attributes?: OtlpAttr[] }; scopeSpans: Array<{ scope?: { name?: string }; spans: OtlpSpan[] }> }>
}

// The messages of an OTLP/HTTP trace export, as opentelemetry-proto defines them (collector/trace/v1,
// trace/v1, common/v1, resource/v1; field numbers and types as there, fields not needed here left out,
// which a decoder skips).
const OTLP_TRACE_PROTO = `
syntax = "proto3";
package otlp;
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  fixed32 flags = 16;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  uint32 dropped_attributes_count = 10;
  uint32 dropped_events_count = 12;
  uint32 dropped_links_count = 14;
  Status status = 15;
}
message Status { string message = 2; int32 code = 3; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
`
const ExportRequest = protobuf.parse(OTLP_TRACE_PROTO, { keepCase: false }).root.lookupType('otlp.ExportTraceServiceRequest')

/**
 * A protobuf export as OTLP/JSON's shape (ids as hex, 64-bit integers as decimal strings): one reading
 * of spans for both encodings. Proto3 leaves out fields at their default, so a span kind or status code
 * of 0 (UNSPECIFIED, UNSET) comes back as absent, and reads as 0, as OTLP says it is.
 */
function fromProtobuf(body: Buffer): OtlpBody {
  const message = ExportRequest.decode(body)
  // Bytes as base64 from toObject, then hex as OTLP/JSON writes ids.
  const plain = ExportRequest.toObject(message, { longs: String, bytes: String, oneofs: false }) as OtlpBody
  const hex = (b64: string | undefined): string | undefined => (b64 ? Buffer.from(b64, 'base64').toString('hex') : undefined)
  for (const rs of (plain.resourceSpans ??= [])) {
    for (const ss of (rs.scopeSpans ??= [])) {
      for (const s of (ss.spans ??= [])) {
        s.traceId = hex(s.traceId) ?? ''
        s.spanId = hex(s.spanId) ?? ''
        const parent = hex(s.parentSpanId)
        if (parent === undefined) delete s.parentSpanId
        else s.parentSpanId = parent
        s.kind ??= 0
        s.status = { code: s.status?.code ?? 0, ...(s.status?.message ? { message: s.status.message } : {}) }
      }
    }
  }
  return plain
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
        const raw = Buffer.concat(chunks)
        const type = req.headers['content-type']
        if (type !== 'application/x-protobuf' && type !== 'application/json') {
          res.writeHead(415).end()
          return
        }
        const body = type === 'application/x-protobuf' ? fromProtobuf(raw) : (JSON.parse(raw.toString('utf8')) as OtlpBody)
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
              if (s.flags !== undefined) span.flags = s.flags
              spans.push(span)
            }
          }
        }
        for (const w of waiters.splice(0)) w()
      }
      // An empty ExportTraceServiceResponse: no bytes in protobuf, {} in JSON.
      if (req.headers['content-type'] === 'application/x-protobuf') res.writeHead(status, { 'content-type': 'application/x-protobuf' }).end()
      else res.writeHead(status, { 'content-type': 'application/json' }).end('{}')
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
