// `--trace otlp=<collector URL>`: where exported traces go (OTLP over HTTP). The collector's base URL gets
// OTLP's traces path, /v1/traces, unless the URL names a path of its own. The encoding is OTLP's default,
// protobuf, unless `--trace-protocol` (or OpenTelemetry's OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, then
// OTEL_EXPORTER_OTLP_PROTOCOL) asks for JSON.
import { UsageError } from '../errors.js'

export const TRACE_PROTOCOLS = ['http/protobuf', 'http/json'] as const
export type TraceProtocol = (typeof TRACE_PROTOCOLS)[number]

export interface TraceOptions {
  /** The OTLP/HTTP traces endpoint, e.g. http://127.0.0.1:4318/v1/traces. */
  url: string
  protocol: TraceProtocol
}

const ENV_NAMES = ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL'] as const

/**
 * The --trace flag and its protocol. `protocol` is --trace-protocol's value; without it the environment
 * names it as OpenTelemetry's SDKs read it (an empty variable counts as unset), else http/protobuf.
 */
export function parseTraceFlag(text: string | undefined, protocol?: string, env: NodeJS.ProcessEnv = process.env): TraceOptions | null {
  if (text === undefined) {
    if (protocol !== undefined) throw new UsageError(`--trace-protocol ${protocol}: it says how traces are sent; give --trace otlp=<collector URL> too`, { flag: '--trace-protocol' })
    return null
  }
  const bad = (why: string): UsageError => new UsageError(`--trace ${text}: ${why} (e.g. --trace otlp=http://127.0.0.1:4318)`, { flag: '--trace' })
  const m = /^otlp=(.+)$/.exec(text)
  if (!m) throw bad('expected otlp=<collector URL>')
  if (!/^[a-z][\w+.-]*:\/\//i.test(m[1]!)) throw bad(`the collector URL needs its scheme: otlp=http://${m[1]}`)
  let url: URL
  try {
    url = new URL(m[1]!)
  } catch {
    throw bad(`"${m[1]}" is not a URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad('the collector URL must be http:// or https://')
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1/traces'
  return { url: url.href, protocol: traceProtocol(protocol, env) }
}

function traceProtocol(flag: string | undefined, env: NodeJS.ProcessEnv): TraceProtocol {
  if (flag !== undefined) return checked(flag, `--trace-protocol ${flag}`, '--trace-protocol')
  for (const name of ENV_NAMES) {
    const value = env[name]?.trim()
    if (value) return checked(value, `${name}=${value}`, name)
  }
  return 'http/protobuf'
}

function checked(value: string, where: string, flag: string): TraceProtocol {
  if ((TRACE_PROTOCOLS as readonly string[]).includes(value)) return value as TraceProtocol
  const why = value === 'grpc' ? 'OTLP over gRPC is not supported; expected' : 'expected'
  throw new UsageError(`${where}: ${why} http/protobuf (the default) or http/json`, { flag })
}
