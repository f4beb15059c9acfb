// Reads and validates bench.yaml. Every mistake is a ConfigError naming the file and the field.
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { parse, YAMLParseError } from 'yaml'
import { yamlMessage } from '../flow/index.js'
import { ConfigError, isFloodgateError, messageOf } from '../errors.js'
import { MAX_TIMER_SECONDS, MAX_TIMER_TEXT } from '../timer-limit.js'
import { Fields, type Obj } from './fields.js'
import { shown } from '../shown.js'
import { parseDuration, parseRate, parseSlo, parseWait } from '../load/index.js'
import type { BenchConfig, LoadProfile, ServiceConfig, ServiceOptions, VariantConfig } from './config-types.js'
import type { VariantKind } from '../report/bench/data.js'

const LOAD_FIELDS = ['users', 'spawn_rate', 'run_time', 'wait', 'method', 'path', 'body', 'headers', 'warmup', 'timeout', 'slo', 'drain'] as const
/** Fields of the load profile a variant may also set directly, beside `load:`. */
const REQUEST_FIELDS = ['method', 'path', 'body', 'headers']
const KINDS: readonly VariantKind[] = ['direct', 'pool_threads', 'async', 'external']
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/
/** ${service.url}, ${service.host}, ${service.port} in env values and args. */
export const REFERENCE = /\$\{([^}.]+)\.(url|host|port)\}/g

export const DEFAULT_LOAD: LoadProfile = {
  users: 500, spawnRate: 50, runTimeSec: 60, wait: 'between:1,2', method: 'POST', path: '/score',
  body: { question: 'Test question', chat_history: [] }, headers: {}, warmup: 5, timeoutSec: 60
}

type OptionCheck = (f: Fields, path: string, value: unknown) => string | number

const seconds: OptionCheck = (f, p, v) => f.seconds(p, v)
const fraction: OptionCheck = (f, p, v) => f.fraction(p, v)
const positiveInt: OptionCheck = (f, p, v) => f.positiveInt(p, v)
const nonNegativeInt: OptionCheck = (f, p, v) => f.nonNegativeInt(p, v)

/** The options of `floodgate mock` / `floodgate serve` that bench.yaml may set, with their checks. */
const OPTIONS: Record<'mock' | 'serve', Record<string, OptionCheck>> = {
  mock: {
    min_wait: seconds, max_wait: seconds, seed: (f, p, v) => f.intBetween(p, v, 0, 2 ** 32 - 1),
    latency: (f, p, v) => f.oneOf(p, v, ['fixed', 'uniform', 'normal', 'lognormal']), workers: positiveInt,
    error_rate: fraction, error_status: (f, p, v) => f.intBetween(p, v, 100, 599), reset_rate: fraction, hang_rate: fraction,
    ttft: seconds, tokens_per_sec: (f, p, v) => f.positiveNumber(p, v)
  },
  serve: {
    workers: positiveInt, threads: positiveInt, max_concurrency: nonNegativeInt, queue: nonNegativeInt,
    timeout: (f, p, v) => f.seconds(p, v, true),
    log_level: (f, p, v) => f.oneOf(p, v, ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
  }
}

/** The load generator's own parsers, so bench.yaml accepts exactly what `floodgate load` does. */
function parsed<T>(parse: () => T): T | null {
  try {
    return parse()
  } catch {
    return null
  }
}

/**
 * The value as the load generator's parser reads it; when it refuses, the field fails with the parser's
 * own reason (a wait longer than a timer holds, MIN above MAX), not with its command-line flag's name.
 */
function loadValue<T>(f: Fields, path: string, value: unknown, parse: () => T): T {
  try {
    return parse()
  } catch (err) {
    const reason = isFloodgateError(err) && typeof err.details.reason === 'string' ? err.details.reason : messageOf(err)
    return f.fail(path, `${shown(value)}: ${reason}`)
  }
}

function readLoad(f: Fields, path: string, raw: unknown): Partial<LoadProfile> {
  const o = f.object(path, raw, LOAD_FIELDS)
  const out: Partial<LoadProfile> = {}
  if (o.users !== undefined) out.users = f.positiveInt(`${path}.users`, o.users)
  if (o.spawn_rate !== undefined) {
    const rate = f.positiveNumber(`${path}.spawn_rate`, o.spawn_rate)
    out.spawnRate = loadValue(f, `${path}.spawn_rate`, o.spawn_rate, () => parseRate(rate, '--spawn-rate'))
  }
  if (o.run_time !== undefined) {
    out.runTimeSec = parsed(() => parseDuration(String(o.run_time), '--run-time', Infinity)) ?? f.expect(`${path}.run_time`, 'a duration such as 60s, 5m or 1h', o.run_time)
    if (out.runTimeSec > MAX_TIMER_SECONDS) f.expect(`${path}.run_time`, `at most ${MAX_TIMER_TEXT}`, o.run_time)
  }
  if (o.wait !== undefined) {
    loadValue(f, `${path}.wait`, o.wait, () => parseWait(String(o.wait)))
    out.wait = String(o.wait)
  }
  if (o.method !== undefined) {
    out.method = f.oneOf(`${path}.method`, typeof o.method === 'string' ? o.method.toUpperCase() : o.method, METHODS)
  }
  if (o.path !== undefined) {
    const p = f.string(`${path}.path`, o.path)
    if (!p.startsWith('/')) f.expect(`${path}.path`, 'a path starting with /', p)
    out.path = p
  }
  if ('body' in o) out.body = o.body === null ? undefined : o.body
  if (o.headers !== undefined) out.headers = f.stringMap(`${path}.headers`, o.headers)
  if (o.warmup !== undefined) out.warmup = f.intBetween(`${path}.warmup`, o.warmup, 0, MAX_TIMER_SECONDS)
  if (o.timeout !== undefined) out.timeoutSec = f.seconds(`${path}.timeout`, o.timeout, true)
  if (o.slo !== undefined) {
    out.slo = f.stringList(`${path}.slo`, o.slo)
    for (const [i, text] of out.slo.entries()) if (!parsed(() => parseSlo(text))) f.expect(`${path}.slo[${i}]`, 'an SLO such as ttft<500, itl<50, tpot<40 or e2e<5000 (ms)', text)
  }
  if (o.drain !== undefined) out.drainSec = f.seconds(`${path}.drain`, o.drain)
  return out
}

function readOptions(f: Fields, path: string, raw: unknown, type: 'mock' | 'serve'): ServiceOptions {
  const checks = OPTIONS[type]
  const o = f.object(path, raw, Object.keys(checks))
  const out: ServiceOptions = {}
  for (const [key, value] of Object.entries(o)) {
    if (value !== null && value !== undefined) out[key] = checks[key]!(f, `${path}.${key}`, value)
  }
  return out
}

function readService(f: Fields, path: string, name: string, raw: unknown, baseDir: string): ServiceConfig {
  if (!NAME.test(name)) f.fail(path, 'a service name uses letters, digits, ".", "_" and "-" only')
  const o = f.object(path, raw, ['type', 'flow', 'url', 'options', 'env', 'args'])
  const type = f.oneOf(`${path}.type`, o.type, ['mock', 'serve', 'url'] as const)
  const env = o.env === undefined ? {} : f.stringMap(`${path}.env`, o.env)
  const args = o.args === undefined ? [] : f.stringList(`${path}.args`, o.args)
  if (type === 'url') {
    const url = f.string(`${path}.url`, o.url)
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) f.expect(`${path}.url`, 'an http(s) URL', url)
    return { name, type, url: url.replace(/\/+$/, ''), env, args }
  }
  if (o.url !== undefined) f.fail(`${path}.url`, `only services of type url take a url (this one is ${type})`)
  const options = o.options === undefined ? {} : readOptions(f, `${path}.options`, o.options, type)
  if (type === 'mock') {
    if (o.flow !== undefined) f.fail(`${path}.flow`, 'only services of type serve take a flow')
    return { name, type, options, env, args }
  }
  const flow = resolve(baseDir, f.string(`${path}.flow`, o.flow))
  return { name, type, flow, options, env, args }
}

function checkReferences(f: Fields, services: Map<string, ServiceConfig>): void {
  for (const service of services.values()) {
    const texts = [
      ...Object.entries(service.env).map(([k, v]) => [`services.${service.name}.env.${k}`, v] as const),
      ...service.args.map((v, i) => [`services.${service.name}.args[${i}]`, v] as const)
    ]
    for (const [path, text] of texts) {
      for (const m of text.matchAll(REFERENCE)) {
        const other = services.get(m[1]!)
        if (!other) f.fail(path, `unknown service "${m[1]}" in ${m[0]} (services: ${[...services.keys()].join(', ')})`)
        if (other.name === service.name) f.fail(path, `a service cannot refer to itself (${m[0]})`)
      }
    }
  }
  // Dependencies start first, so a cycle could never start.
  for (const name of services.keys()) dependencyOrder(f, services, name)
}

/** The services a variant starts, dependencies first, the target last. */
export function dependencyOrder(f: Fields, services: Map<string, ServiceConfig>, target: string, seen: string[] = []): string[] {
  if (seen.includes(target)) f.fail(`services.${target}`, `services refer to each other in a cycle (${[...seen, target].join(' -> ')})`)
  const service = services.get(target)!
  const order: string[] = []
  const text = [...Object.values(service.env), ...service.args].join('\n')
  for (const m of text.matchAll(REFERENCE)) {
    for (const dep of dependencyOrder(f, services, m[1]!, [...seen, target])) if (!order.includes(dep)) order.push(dep)
  }
  order.push(target)
  return order
}

function readVariant(f: Fields, path: string, raw: unknown, services: Map<string, ServiceConfig>, names: Set<string>): VariantConfig {
  const o = f.object(path, raw, ['name', 'target', 'kind', 'service_time', 'load', 'serve', 'mock', ...REQUEST_FIELDS])
  const name = f.string(`${path}.name`, o.name)
  if (!NAME.test(name)) f.expect(`${path}.name`, 'a name of letters, digits, ".", "_" and "-"', name)
  if (names.has(name)) f.fail(`${path}.name`, `duplicate variant name "${name}"`)
  names.add(name)
  const target = f.string(`${path}.target`, o.target)
  const service = services.get(target) ?? f.fail(`${path}.target`, `unknown service "${target}" (services: ${[...services.keys()].join(', ')})`)
  const defaultKind: VariantKind = service.type === 'mock' ? 'direct' : service.type === 'url' ? 'external' : 'async'
  const kind = o.kind === undefined ? defaultKind : f.oneOf(`${path}.kind`, o.kind, KINDS)
  const request: Obj = {}
  for (const key of REQUEST_FIELDS) if (key in o) request[key] = o[key]
  const load = { ...readLoad(f, `${path}.load`, o.load ?? {}), ...readLoad(f, path, request) }
  if (o.serve !== undefined && service.type !== 'serve') f.fail(`${path}.serve`, `the target "${target}" is not a serve service`)
  const variant: VariantConfig = {
    name, target, kind, load,
    serve: o.serve === undefined ? {} : readOptions(f, `${path}.serve`, o.serve, 'serve'),
    mock: o.mock === undefined ? {} : readOptions(f, `${path}.mock`, o.mock, 'mock')
  }
  if (o.service_time !== undefined) variant.serviceTimeSec = f.positiveNumber(`${path}.service_time`, o.service_time)
  return variant
}

/** Validates an already parsed bench document. `file` is how messages name it; `baseDir` resolves flow paths. */
export function readBenchConfig(doc: unknown, file: string, baseDir: string): BenchConfig {
  const f = new Fields(file)
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) f.fail('(top level)', `expected a mapping with services, load and variants, got ${shown(doc ?? null)}`)
  const o = f.object('(top level)', doc, ['name', 'services', 'load', 'full', 'variants'])
  const name = o.name === undefined ? 'bench' : f.string('name', o.name)
  const servicesRaw = f.object('services', o.services, Object.keys((o.services ?? {}) as Obj))
  if (Object.keys(servicesRaw).length === 0) f.fail('services', 'declare at least one service')
  const services = new Map<string, ServiceConfig>()
  for (const [key, value] of Object.entries(servicesRaw)) services.set(key, readService(f, `services.${key}`, key, value, baseDir))
  checkReferences(f, services)
  const load = { ...DEFAULT_LOAD, ...(o.load === undefined ? {} : readLoad(f, 'load', o.load)) }
  const full = o.full === undefined ? {} : readLoad(f, 'full', o.full)
  const list = f.list('variants', o.variants)
  if (list.length === 0) f.fail('variants', 'declare at least one variant')
  const names = new Set<string>()
  const variants = list.map((v, i) => readVariant(f, `variants[${i}]`, v, services, names))
  return { file, name, services, load, full, variants }
}

/** Reads and validates a bench.yaml file. `display` is how messages name it (default: the path as given). */
export function loadBenchConfig(path: string, display = path): BenchConfig {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new ConfigError(`${display}: cannot read the bench file: ${messageOf(err)}`, { file: display })
  }
  let doc: unknown
  try {
    doc = parse(text)
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` (line ${err.linePos[0].line}, column ${err.linePos[0].col})` : ''
    const first = err instanceof YAMLParseError ? yamlMessage(err, text) : messageOf(err)
    throw new ConfigError(`${display}: invalid YAML${where}: ${first}`, { file: display })
  }
  return readBenchConfig(doc, display, dirname(resolve(path)))
}
