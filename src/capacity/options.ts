// What runCapacity accepts, checked before anything starts: every bad input is a UsageError naming its
// flag (exit 2). Resolves to the variant's plan (a bench.yaml variant, or one --target URL) with the
// load flags applied, the SLOs, the bounds and the budget.
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { DEFAULT_BENCH_FILE, loadBenchConfig, planBench, type LoadProfile, type UrlService, type VariantPlan } from '../bench/index.js'
import { UsageError } from '../errors.js'
import { parseSlo as parseRequestSlo, parseWait, type Threshold } from '../load/index.js'
import type { CapacityUnit } from './data.js'
import { parseSlo } from './slo.js'
import type { CapacityMode } from './step-shape.js'

/** The flags of `floodgate load` a capacity search takes for its requests (with --target, or over a file's profile). */
export interface CapacityLoadFlags {
  method?: string
  body?: string
  bodyFile?: string
  headers?: Record<string, string>
  /** Locust's Name column. */
  name?: string
  wait?: string
  timeoutSec?: number
  processes?: number
  /** Open loop only: requests in flight at most. */
  maxInFlight?: number
  /** Goodput's per-request targets (`floodgate load --slo`, e.g. ttft<500), over the file's `slo:`. */
  requestSlo?: string[]
}

export interface CapacityInput {
  /** bench.yaml; default: the study's (examples/promptflow-serve/bench.yaml) unless --target is given alone. */
  file?: string
  variant?: string
  /** Measure this running service instead of starting a variant (not sampled). */
  target?: string
  /** Thresholds in `floodgate load`'s syntax: p99<1500, fail_ratio<0.001, ... */
  slo: string[]
  mode?: CapacityMode
  maxUsers?: number
  maxRate?: number
  stepTimeSec?: number
  /** Total seconds, service start-up and calibration included (default 300). */
  budgetSec?: number
  load?: CapacityLoadFlags
}

export interface ResolvedCapacity {
  plan: VariantPlan
  /** How messages name the bench file, or null with --target alone. */
  fileLabel: string | null
  slos: Threshold[]
  mode: CapacityMode
  unit: CapacityUnit
  lowest: number
  highest: number
  budgetSec: number
  stepTimeSec?: number
  extraArgs: string[]
  maxInFlight?: number
}

export const DEFAULT_BUDGET_SEC = 300
export const DEFAULT_MAX_USERS = 10_000
export const DEFAULT_MAX_RATE = 10_000
/** The lowest load: one user, or one request per second. */
const LOWEST = 1

function checkTarget(target: string): URL {
  if (!URL.canParse(target) || !/^https?:$/.test(new URL(target).protocol)) {
    throw new UsageError(`invalid --target "${target}": expected an http(s) URL such as http://127.0.0.1:8080/score`, { flag: '--target' })
  }
  return new URL(target)
}

function bodyOf(flags: CapacityLoadFlags): string | undefined {
  if (flags.body !== undefined && flags.bodyFile !== undefined) throw new UsageError('--body and --body-file cannot be used together', { flag: '--body-file' })
  if (flags.bodyFile === undefined) return flags.body
  if (!existsSync(flags.bodyFile)) throw new UsageError(`--body-file ${flags.bodyFile}: file not found`, { flag: '--body-file', file: flags.bodyFile })
  return readFileSync(flags.bodyFile, 'utf8')
}

/** The load flags over a profile; a JSON body without a content-type is sent as JSON, as `floodgate load` does. */
function withFlags(load: LoadProfile, flags: CapacityLoadFlags): LoadProfile {
  const out: LoadProfile = { ...load, headers: { ...load.headers, ...flags.headers } }
  const body = bodyOf(flags)
  if (flags.wait !== undefined) {
    parseWait(flags.wait)
    out.wait = flags.wait
  }
  if (flags.timeoutSec !== undefined) out.timeoutSec = flags.timeoutSec
  if (body !== undefined) {
    out.body = body
    const typed = Object.keys(out.headers).some((k) => k.toLowerCase() === 'content-type')
    if (!typed) {
      try {
        JSON.parse(body)
        out.headers['content-type'] = 'application/json'
      } catch {
        out.headers['content-type'] = 'application/octet-stream'
      }
    }
  }
  if (flags.requestSlo?.length) {
    for (const text of flags.requestSlo) {
      try {
        parseRequestSlo(text)
      } catch (err) {
        if (err instanceof UsageError) throw new UsageError(err.message.replace(/^invalid --slo /, 'invalid --request-slo '), { flag: '--request-slo' })
        throw err
      }
    }
    out.slo = flags.requestSlo
  }
  if (flags.method !== undefined) {
    if (!/^[A-Za-z]+$/.test(flags.method)) throw new UsageError(`invalid --method "${flags.method}"`, { flag: '--method' })
    out.method = flags.method.toUpperCase()
  }
  return out
}

/** --target without a bench file: `floodgate load`'s defaults (GET, or POST with a body; no wait). */
function targetOnly(url: URL, flags: CapacityLoadFlags): VariantPlan {
  const load: LoadProfile = {
    users: 1, spawnRate: 1, runTimeSec: 1, wait: 'none', method: 'GET', path: url.pathname + url.search,
    body: undefined, headers: {}, warmup: 5, timeoutSec: 60
  }
  const service: UrlService = { name: 'target', type: 'url', url: url.origin, env: {}, args: [] }
  const hasBody = flags.body !== undefined || flags.bodyFile !== undefined
  return { name: 'target', kind: 'external', target: 'target', services: [service], load: withFlags({ ...load, method: hasBody ? 'POST' : 'GET' }, flags) }
}

function fromFile(input: CapacityInput, flags: CapacityLoadFlags): { plan: VariantPlan; label: string } {
  const file = resolve(input.file ?? DEFAULT_BENCH_FILE)
  const label = input.file ?? 'examples/promptflow-serve/bench.yaml'
  const config = loadBenchConfig(file, label)
  if (input.target !== undefined) {
    const plan = planBench(config, { target: input.target })[0]!
    return { plan: { ...plan, load: withFlags(plan.load, flags) }, label }
  }
  const names = config.variants.map((v) => v.name)
  if (input.variant === undefined) {
    if (names.length > 1) {
      throw new UsageError(`${label} has ${names.length} variants: choose one with --variant (${names.join(', ')})`, { flag: '--variant' })
    }
  } else if (!names.includes(input.variant)) {
    throw new UsageError(`--variant: unknown variant "${input.variant}" in ${label} (variants: ${names.join(', ')})`, { flag: '--variant' })
  }
  const plan = planBench(config, { only: [input.variant ?? names[0]!] })[0]!
  return { plan: { ...plan, load: withFlags(plan.load, flags) }, label }
}

/** The search's own settings, checked: the SLOs, the mode and its bound, the budget. */
export function searchSettings(input: Pick<CapacityInput, 'slo' | 'mode' | 'maxUsers' | 'maxRate' | 'budgetSec'>) {
  if (input.slo.length === 0) {
    throw new UsageError('capacity needs an SLO: give --slo, e.g. --slo p99<1500 (the threshold syntax of floodgate load; repeatable)', { flag: '--slo' })
  }
  const slos = input.slo.map(parseSlo)
  const mode = input.mode ?? 'users'
  if (mode !== 'users' && mode !== 'rate') throw new UsageError(`invalid --mode "${mode as string}": expected users or rate`, { flag: '--mode' })
  if (mode === 'rate' && input.maxUsers !== undefined) throw new UsageError('--max-users bounds --mode users; with --mode rate use --max-rate', { flag: '--max-users' })
  if (mode === 'users' && input.maxRate !== undefined) throw new UsageError('--max-rate bounds --mode rate; with --mode users use --max-users', { flag: '--max-rate' })
  const highest = mode === 'users' ? input.maxUsers ?? DEFAULT_MAX_USERS : input.maxRate ?? DEFAULT_MAX_RATE
  return {
    slos, mode, unit: (mode === 'users' ? 'users' : 'rps') as CapacityUnit, lowest: Math.min(LOWEST, highest), highest,
    budgetSec: input.budgetSec ?? DEFAULT_BUDGET_SEC
  }
}

export function resolveCapacity(input: CapacityInput): ResolvedCapacity {
  const settings = searchSettings(input)
  const flags = input.load ?? {}
  if (settings.mode === 'users' && flags.maxInFlight !== undefined) {
    throw new UsageError('--max-in-flight applies to --mode rate (the open loop); users keep one request each in flight', { flag: '--max-in-flight' })
  }
  if (input.variant !== undefined && input.target !== undefined) {
    throw new UsageError('--variant and --target cannot be used together: --target measures that URL with the file\'s load profile', { flag: '--variant' })
  }
  if (input.target !== undefined) checkTarget(input.target)
  const { plan, label } = input.target !== undefined && input.file === undefined
    ? { plan: targetOnly(new URL(input.target), flags), label: null }
    : fromFile(input, flags)
  if (settings.slos.some((t) => t.metric === 'goodput') && !plan.load.slo?.length) {
    throw new UsageError('--slo goodput needs the per-request targets it counts: give --request-slo, e.g. --request-slo ttft<500 (floodgate load\'s --slo; repeatable)', { flag: '--slo' })
  }
  const extraArgs: string[] = []
  if (flags.name !== undefined) extraArgs.push('--name', flags.name)
  if (flags.processes !== undefined) extraArgs.push('--processes', String(flags.processes))
  const resolved: ResolvedCapacity = { plan, fileLabel: label, ...settings, extraArgs }
  if (input.stepTimeSec !== undefined) resolved.stepTimeSec = input.stepTimeSec
  if (flags.maxInFlight !== undefined) resolved.maxInFlight = flags.maxInFlight
  return resolved
}
