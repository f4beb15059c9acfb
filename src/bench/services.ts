// Starts the services of one variant (mock, floodgate serve, or an already running URL), dependencies
// first, each on a free loopback port, and waits until each answers /health.
import type { ServiceConfig, ServiceOptions } from './config-types.js'
import { REFERENCE } from './config.js'
import type { BenchChild, ChildGroup } from './child.js'
import type { VariantPlan } from './plan.js'
import type { SampledRoot } from './sampler.js'
import { waitHealthy } from './warmup.js'
import { StartupError } from '../errors.js'
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

/**
 * Starts a variant's services into `running` (so a caller can stop what started even when a later one
 * fails); returns the URL the load requests and the target's /metrics (floodgate serve targets only).
 */
export async function startServices(
  plan: VariantPlan, running: Map<string, RunningService>, group: ChildGroup, signal: AbortSignal
): Promise<{ url: string; metricsUrl: string | null }> {
  for (const service of plan.services) {
    if (signal.aborted) throw new StartupError(`${plan.name}: interrupted`)
    running.set(service.name, await startService(plan.name, service, running, group, signal))
  }
  const target = running.get(plan.target)!
  if (target.info.type === 'url') await waitHealthy(`${plan.name}: target`, `${target.info.url}/health`, 30_000, signal, true)
  return { url: target.info.url + plan.load.path, metricsUrl: target.info.type === 'serve' ? `${target.info.url}/metrics` : null }
}

/** The started processes to sample: the target as the server, the others as services. */
export function sampledRoots(plan: VariantPlan, running: Map<string, RunningService>): SampledRoot[] {
  return [...running.values()]
    .filter((r) => r.child)
    .map((r) => ({ pid: r.child!.pid, role: r.info.name === plan.target ? 'server' : 'service', service: r.info.name }))
}

/** Stops the target first, so it stops calling its dependencies, then the rest, then any other child. */
export async function stopServices(running: Map<string, RunningService>, group: ChildGroup, graceMs: number): Promise<void> {
  for (const r of [...running.values()].reverse()) await r.child?.stop(graceMs)
  await group.stopAll(graceMs)
}
