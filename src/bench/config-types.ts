// A validated bench.yaml (see docs/bench.md for the file's schema).
import type { VariantKind } from '../report/bench/data.js'

export interface LoadProfile {
  users: number
  spawnRate: number
  runTimeSec: number
  /** As `floodgate load --wait` takes it: between:1,2 | constant:S | throughput:R | pacing:S | none. */
  wait: string
  method: string
  path: string
  /** Sent as JSON unless a string; undefined sends no body. */
  body: unknown
  headers: Record<string, string>
  /** Sequential requests before the load; they also measure the service time at low load. */
  warmup: number
  /** The load generator's per-request timeout, seconds. */
  timeoutSec: number
  /** Goodput's per-request SLOs (`floodgate load --slo`), e.g. ttft<500. */
  slo?: string[]
  /** Seconds requests in flight may finish after the run time (`--drain`; the generator's default 2). */
  drainSec?: number
}

/** Option values passed to `floodgate mock` / `floodgate serve` as --kebab-case flags. */
export type ServiceOptions = Record<string, string | number>

interface ServiceBase {
  name: string
  /** Environment for the process; values may hold ${service.url|host|port}. */
  env: Record<string, string>
  /** Extra command-line arguments, appended as given. */
  args: string[]
}

export interface MockService extends ServiceBase {
  type: 'mock'
  options: ServiceOptions
}

export interface ServeService extends ServiceBase {
  type: 'serve'
  /** Absolute path of the flow folder. */
  flow: string
  options: ServiceOptions
}

/** A service already running somewhere (a Python `pf serve`, ...): nothing is started or sampled. */
export interface UrlService extends ServiceBase {
  type: 'url'
  url: string
}

export type ServiceConfig = MockService | ServeService | UrlService

export interface VariantConfig {
  name: string
  target: string
  kind: VariantKind
  serviceTimeSec?: number
  /** Fields of the load profile this variant changes. */
  load: Partial<LoadProfile>
  /** Options that replace the target's serve options / every mock's options for this variant. */
  serve: ServiceOptions
  mock: ServiceOptions
}

export interface BenchConfig {
  /** The file as the user named it (messages use it). */
  file: string
  name: string
  services: Map<string, ServiceConfig>
  load: LoadProfile
  /** What --full changes in the load profile. */
  full: Partial<LoadProfile>
  variants: VariantConfig[]
}
