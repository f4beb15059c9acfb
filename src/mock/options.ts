// Options of the mock server, their defaults, and the one validation shared by `startMock` and the CLI.
// Messages name the CLI flag: options and flags map one to one (errorRate <-> --error-rate).
import { UsageError } from '../errors.js'
import { MAX_TIMER_SECONDS, MAX_TIMER_TEXT } from '../timer-limit.js'

export type LatencyKind = 'fixed' | 'uniform' | 'normal' | 'lognormal'
export const latencyKinds: readonly LatencyKind[] = ['fixed', 'uniform', 'normal', 'lognormal']

export interface MockOptions {
  host: string
  /** 0 picks a free port. */
  port: number
  /** Seconds. */
  minWait: number
  /** Seconds. */
  maxWait: number
  seed: number
  latency: LatencyKind
  /** Fractions in [0, 1]; their sum must not exceed 1. Apply to GET / and POST /v1/chat/completions. */
  errorRate: number
  errorStatus: number
  resetRate: number
  hangRate: number
  workers: number
  /** LLM: seconds to the first token. */
  ttft: number
  /** LLM: tokens per second after the first. */
  tokensPerSec: number
  /** LLM: requests per minute per server (0 = unlimited). */
  rateLimit: number
  /** LLM: the id listed by GET /v1/models. Requests may name any model; it is echoed back. */
  model: string
}

export const mockDefaults: MockOptions = {
  host: '127.0.0.1',
  port: 50001,
  minWait: 1,
  maxWait: 1,
  seed: 42,
  latency: 'uniform',
  errorRate: 0,
  errorStatus: 500,
  resetRate: 0,
  hangRate: 0,
  workers: 1,
  ttft: 0.25,
  tokensPerSec: 50,
  rateLimit: 0,
  model: 'floodgate-mock'
}

/** Fills defaults (wait bounds from MIN_WAIT_TIME_SEC / MAX_WAIT_TIME_SEC, as the study did) and validates. */
export function resolveMockOptions(partial: Partial<MockOptions> = {}, env: NodeJS.ProcessEnv = process.env): MockOptions {
  const options: MockOptions = {
    ...mockDefaults,
    minWait: envSeconds(env, 'MIN_WAIT_TIME_SEC') ?? mockDefaults.minWait,
    maxWait: envSeconds(env, 'MAX_WAIT_TIME_SEC') ?? mockDefaults.maxWait
  }
  for (const [key, value] of Object.entries(partial)) {
    if (value !== undefined) (options as unknown as Record<string, unknown>)[key] = value
  }
  validateMockOptions(options)
  return options
}

function envSeconds(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name]
  if (raw === undefined || raw.trim() === '') return undefined
  const n = Number(raw)
  if (!Number.isFinite(n) || n < 0) {
    throw new UsageError(`${name} must be a number of seconds >= 0, got "${raw}"`, { field: name })
  }
  return n
}

export function validateMockOptions(o: MockOptions): void {
  if (typeof o.host !== 'string' || o.host === '') fail('--host', 'must be a host name or address', o.host)
  checkInteger('--port', o.port, 0, 65535)
  checkWait('--min-wait', o.minWait)
  checkWait('--max-wait', o.maxWait)
  if (o.minWait > o.maxWait) {
    throw new UsageError(`--min-wait (${o.minWait}) must not exceed --max-wait (${o.maxWait}); set both`, { flag: '--min-wait' })
  }
  checkInteger('--seed', o.seed, -(2 ** 31), 2 ** 32 - 1)
  if (!latencyKinds.includes(o.latency)) fail('--latency', `must be one of ${latencyKinds.join(', ')}`, o.latency)
  checkRate('--error-rate', o.errorRate)
  checkRate('--reset-rate', o.resetRate)
  checkRate('--hang-rate', o.hangRate)
  if (o.errorRate + o.resetRate + o.hangRate > 1 + 1e-9) {
    throw new UsageError(
      `--error-rate + --reset-rate + --hang-rate must not exceed 1, got ${o.errorRate + o.resetRate + o.hangRate}`,
      { flag: '--error-rate' }
    )
  }
  checkInteger('--error-status', o.errorStatus, 400, 599)
  checkInteger('--workers', o.workers, 1, 64)
  checkWait('--ttft', o.ttft)
  checkNumber('--tokens-per-sec', o.tokensPerSec, 'a number > 0', (n) => n > 0)
  if (1 / o.tokensPerSec > MAX_TIMER_SECONDS) {
    fail('--tokens-per-sec', `must be at least 1/${MAX_TIMER_SECONDS} (one token every ${Math.round(1 / o.tokensPerSec)} s is longer than ${MAX_TIMER_TEXT})`, o.tokensPerSec)
  }
  checkInteger('--rate-limit', o.rateLimit, 0, 1_000_000)
  if (typeof o.model !== 'string' || o.model === '') fail('--model', 'must be a non-empty name', o.model)
}

/** Seconds the mock waits on a timer. */
function checkWait(flag: string, value: unknown): void {
  checkNumber(flag, value, 'a number of seconds >= 0', (n) => n >= 0)
  if ((value as number) > MAX_TIMER_SECONDS) fail(flag, `must be at most ${MAX_TIMER_TEXT}`, value)
}

function checkRate(flag: string, value: unknown): void {
  checkNumber(flag, value, 'a number between 0 and 1', (n) => n >= 0 && n <= 1)
}

function checkNumber(flag: string, value: unknown, what: string, ok: (n: number) => boolean): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) fail(flag, `must be ${what}`, value)
}

function checkInteger(flag: string, value: unknown, min: number, max: number): void {
  checkNumber(flag, value, `an integer from ${min} to ${max}`, (n) => Number.isInteger(n) && n >= min && n <= max)
}

function fail(flag: string, what: string, value: unknown): never {
  throw new UsageError(`${flag} ${what}, got "${String(value)}"`, { flag })
}
