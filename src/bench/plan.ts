// Turns a bench config plus the command's flags into the list of variants to run, each with its final
// load profile and the services it starts (dependencies first), options overridden as the variant says.
import { UsageError } from '../errors.js'
import { Fields } from './fields.js'
import { dependencyOrder } from './config.js'
import type { BenchConfig, LoadProfile, ServiceConfig, UrlService } from './config-types.js'
import type { VariantKind } from '../report/bench/data.js'

export interface BenchOptions {
  full?: boolean
  users?: number
  spawnRate?: number
  runTimeSec?: number
  only?: string[]
  /** Benchmark this already running service instead of the file's variants. */
  target?: string
}

export interface VariantPlan {
  name: string
  kind: VariantKind
  /** Name of the service the load targets (last of `services`). */
  target: string
  services: ServiceConfig[]
  load: LoadProfile
  serviceTimeSec?: number
}

function withFlags(load: LoadProfile, options: BenchOptions, full: Partial<LoadProfile>): LoadProfile {
  const out = { ...load, ...(options.full ? full : {}) }
  if (options.users !== undefined) out.users = options.users
  if (options.spawnRate !== undefined) out.spawnRate = options.spawnRate
  if (options.runTimeSec !== undefined) out.runTimeSec = options.runTimeSec
  return out
}

function targetPlan(config: BenchConfig, options: BenchOptions): VariantPlan {
  const url = new URL(options.target!)
  const load = withFlags(config.load, options, config.full)
  // A URL with a path is the request's path; a bare origin takes the profile's path.
  if (url.pathname !== '/' || url.search) load.path = url.pathname + url.search
  const service: UrlService = { name: 'target', type: 'url', url: url.origin, env: {}, args: [] }
  return { name: 'target', kind: 'external', target: 'target', services: [service], load }
}

export function planBench(config: BenchConfig, options: BenchOptions = {}): VariantPlan[] {
  if (options.target !== undefined) return [targetPlan(config, options)]
  const known = config.variants.map((v) => v.name)
  for (const name of options.only ?? []) {
    if (!known.includes(name)) throw new UsageError(`--only: unknown variant "${name}" (variants: ${known.join(', ')})`, { flag: '--only' })
  }
  const f = new Fields(config.file)
  return config.variants
    .filter((v) => !options.only?.length || options.only.includes(v.name))
    .map((v) => {
      const services = dependencyOrder(f, config.services, v.target).map((name): ServiceConfig => {
        const s = config.services.get(name)!
        if (s.type === 'mock') return { ...s, options: { ...s.options, ...v.mock } }
        if (s.type === 'serve' && name === v.target) return { ...s, options: { ...s.options, ...v.serve } }
        return s
      })
      const plan: VariantPlan = {
        name: v.name, kind: v.kind, target: v.target, services,
        load: withFlags({ ...config.load, ...v.load }, options, config.full)
      }
      if (v.serviceTimeSec !== undefined) plan.serviceTimeSec = v.serviceTimeSec
      return plan
    })
}
