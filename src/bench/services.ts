// Starts the services of one variant (mock, floodgate serve, or an already running URL), dependencies
// first, each on a free loopback port, and waits until each answers /health.
import type { ServiceConfig, ServiceOptions } from './config-types.js'
import { REFERENCE } from './config.js'
import type { BenchChild, ChildGroup } from './child.js'
import { waitHealthy } from './warmup.js'
import type { ServiceInfo } from '../report/bench/data.js'

export interface RunningService {
  info: ServiceInfo
  child: BenchChild | null
}

const READY = /listening on (http:\/\/\S+)/
/** 8 workers compiling TypeScript on 2 busy cores take a while; a dist build starts in about a second. */
const READY_TIMEOUT_MS = 120_000

/** { max_concurrency: 0 } -> ['--max-concurrency', '0'] */
export function optionFlags(options: ServiceOptions): string[] {
  return Object.entries(options).flatMap(([key, value]) => [`--${key.replace(/_/g, '-')}`, String(value)])
}

/** Replaces ${name.url|host|port} with the running service's address. */
export function substitute(text: string, running: Map<string, RunningService>): string {
  return text.replace(REFERENCE, (_, name: string, part: 'url' | 'host' | 'port') => {
    const url = new URL(running.get(name)!.info.url)
    return part === 'url' ? url.origin : part === 'host' ? url.hostname : url.port
  })
}

export function serviceArgs(service: ServiceConfig, running: Map<string, RunningService>): string[] {
  if (service.type === 'url') return []
  const head = service.type === 'serve' ? ['serve', service.flow] : ['mock']
  const extra = service.args.map((a) => substitute(a, running))
  return [...head, '--host', '127.0.0.1', '--port', '0', ...optionFlags(service.options), ...extra]
}

export async function startService(
  variant: string, service: ServiceConfig, running: Map<string, RunningService>, group: ChildGroup, signal?: AbortSignal
): Promise<RunningService> {
  const what = `${variant}: service ${service.name}`
  if (service.type === 'url') {
    return { info: { name: service.name, type: 'url', url: service.url, args: [] }, child: null }
  }
  const args = serviceArgs(service, running)
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(service.env)) env[k] = substitute(v, running)
  const child = group.start(what, args, { env })
  const url = (await child.waitForLine(READY, READY_TIMEOUT_MS)).replace(/\/+$/, '')
  await waitHealthy(what, `${url}/health`, READY_TIMEOUT_MS, signal)
  return { info: { name: service.name, type: service.type, url, args }, child }
}
