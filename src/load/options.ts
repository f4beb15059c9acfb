// What runLoad accepts, and its validation into a Plan the drivers use directly (prebuilt request
// options, body buffer, parsed wait). Every bad value throws a UsageError naming its flag.
import { existsSync, readFileSync } from 'node:fs'
import { UsageError } from '../errors.js'
import { parseCount, parseDuration, parseRate, parseSeconds, parseWait, type WaitSpec } from './parse.js'
import type { LoadConfig } from './result.js'
import { openAiTarget, resolveStreaming, type StreamingOptions, type StreamingPlan } from './llm-options.js'

export interface LoadOptions extends StreamingOptions {
  /** The URL each request goes to (with `openai`: ignored, the requests go to its chat completions). */
  url: string
  /** Default GET, or POST when a body is given. */
  method?: string
  headers?: Record<string, string>
  body?: string | Buffer
  bodyFile?: string
  /** Locust's Name column; default the URL's path. */
  name?: string
  /** Closed loop: users (default 1), started at spawnRate per second (default 1, as Locust). */
  users?: number
  spawnRate?: number
  /** Seconds, or a duration text ("5m"). Default 60 s: a load test always stops by itself. */
  runTime?: number | string
  /** Locust wait syntax (see parseWait); default "none" (Locust's default wait_time is 0). */
  wait?: string
  /** Open loop: requests per second, optionally ramping linearly to rampTo over the run. */
  rate?: number
  rampTo?: number
  /** Open loop: cap on requests in flight; scheduled requests beyond it are dropped (default 1000). */
  maxInFlight?: number
  /** Seconds to wait for a response's headers, and between body chunks (default 60, like Locust's FastHttpUser). */
  timeoutSec?: number
  processes?: number
  /** A module whose default export is `async (user) => {...}`. */
  scenario?: string
  /** "I/N" when this run is one shard of a distributed load (see shard.ts); recorded in the config. */
  shard?: string
}

export interface Plan extends StreamingPlan {
  config: LoadConfig
  origin: string
  path: string
  method: string
  headers: Record<string, string>
  body?: Buffer
  wait: WaitSpec
  /** First user id (child processes take a share of ids). */
  idOffset: number
}

export const DEFAULT_RUN_TIME_SEC = 60
export const DEFAULT_TIMEOUT_SEC = 60
export const DEFAULT_MAX_IN_FLIGHT = 1000

function parseUrl(text: string): URL {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new UsageError(`invalid URL "${text}": expected an absolute http:// or https:// URL like http://127.0.0.1:8080/score`, { flag: '<url>' })
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`invalid URL "${text}": only http:// and https:// are supported`, { flag: '<url>' })
  }
  return url
}

function hasJsonContentType(headers: Record<string, string>): boolean | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === 'content-type')
  if (key === undefined) return undefined
  return /\bjson\b/i.test(headers[key])
}

function readBody(options: LoadOptions, headers: Record<string, string>): Buffer | undefined {
  if (options.body !== undefined && options.bodyFile !== undefined) {
    throw new UsageError('--body and --body-file cannot be used together', { flag: '--body-file' })
  }
  let body: Buffer
  let source: string
  if (options.bodyFile !== undefined) {
    source = `--body-file ${options.bodyFile}`
    if (!existsSync(options.bodyFile)) throw new UsageError(`${source}: file not found`, { flag: '--body-file', file: options.bodyFile })
    body = readFileSync(options.bodyFile)
  } else if (options.body !== undefined) {
    source = '--body'
    body = Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body)
  } else {
    return undefined
  }
  const json = hasJsonContentType(headers)
  // No content-type given: a body that parses as JSON is sent as JSON (what the study's Locust file did).
  if (json !== false) {
    try {
      JSON.parse(body.toString('utf8'))
      if (json === undefined) headers['content-type'] = 'application/json'
    } catch (err) {
      if (json === true) {
        throw new UsageError(`${source}: not valid JSON (content-type is application/json): ${(err as Error).message}`,
          { flag: source.startsWith('--body-file') ? '--body-file' : '--body' })
      }
      headers['content-type'] = 'application/octet-stream'
    }
  }
  return body
}

export function resolveOptions(options: LoadOptions, idOffset = 0): Plan {
  let headers: Record<string, string> = { ...(options.headers ?? {}) }
  let target = options.url
  if (options.openai) {
    if (options.body !== undefined || options.bodyFile !== undefined) {
      throw new UsageError('--body and --body-file cannot be used with --openai: the requests are built from --prompts or --prompt-words', { flag: '--openai' })
    }
    ;({ url: target, headers } = openAiTarget(options.openai, headers))
  }
  const url = parseUrl(target)
  const body = readBody(options, headers)
  const method = (options.method ?? (body || options.openai ? 'POST' : 'GET')).toUpperCase()
  if (!/^[A-Z]+$/.test(method)) throw new UsageError(`invalid --method "${options.method}"`, { flag: '--method' })
  const path = `${url.pathname}${url.search}`
  const runTimeSec = options.runTime === undefined ? DEFAULT_RUN_TIME_SEC
    : typeof options.runTime === 'number' ? parseSeconds(options.runTime, '--run-time') : parseDuration(options.runTime)
  const waitText = options.wait ?? 'none'
  const wait = parseWait(waitText)
  const open = options.rate !== undefined
  if (options.rampTo !== undefined && !open) throw new UsageError('--ramp-to needs --rate (it ramps the open-loop rate)', { flag: '--ramp-to' })
  if (open && options.scenario) throw new UsageError('--scenario cannot be combined with --rate: the open loop sends single requests', { flag: '--scenario' })
  if (options.scenario && !existsSync(options.scenario)) {
    throw new UsageError(`--scenario ${options.scenario}: file not found`, { flag: '--scenario', file: options.scenario })
  }
  const users = parseCount(options.users ?? 1, '--users')
  const config: LoadConfig = {
    url: url.href,
    method,
    name: options.name ?? path,
    mode: open ? 'open' : 'closed',
    users,
    spawnRate: parseRate(options.spawnRate ?? 1, '--spawn-rate'),
    runTimeSec,
    wait: waitText,
    timeoutSec: parseSeconds(options.timeoutSec ?? DEFAULT_TIMEOUT_SEC, '--timeout'),
    processes: parseCount(options.processes ?? 1, '--processes')
  }
  if (open) {
    config.rate = parseRate(options.rate as number, '--rate')
    if (options.rampTo !== undefined) config.rampTo = parseRate(options.rampTo, '--ramp-to')
    config.maxInFlight = parseCount(options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT, '--max-in-flight')
  }
  if (options.scenario) config.scenario = options.scenario
  if (options.shard) config.shard = options.shard
  const streaming = resolveStreaming(options, open, config)
  return { ...streaming, config, origin: url.origin, path, method, headers, body, wait, idOffset }
}
