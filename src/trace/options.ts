// `--trace otlp=<collector URL>`: where exported traces go (OTLP over HTTP, JSON). The collector's base
// URL gets OTLP's traces path, /v1/traces, unless the URL names a path of its own.
import { UsageError } from '../errors.js'

export interface TraceOptions {
  /** The OTLP/HTTP traces endpoint, e.g. http://127.0.0.1:4318/v1/traces. */
  url: string
}

export function parseTraceFlag(text: string | undefined): TraceOptions | null {
  if (text === undefined) return null
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
  return { url: url.href }
}
