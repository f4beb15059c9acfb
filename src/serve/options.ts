// Settings of `floodgate serve`, their defaults, and their checks. One resolved object is passed from
// the CLI to the cluster primary, through the environment to each worker, and to startServer.
import { availableParallelism } from 'node:os'
import { readFileSync } from 'node:fs'
import { UsageError, messageOf } from '../errors.js'
import { MAX_TIMER_SECONDS, MAX_TIMER_TEXT } from '../timer-limit.js'
import { parseTraceFlag } from '../trace/index.js'

export interface ServeOptions {
  flowDir: string
  host?: string
  port?: number
  /** Processes. Default: env PROMPTFLOW_WORKER_NUM, else the number of cores. */
  workers?: number
  /** Runs with sync tools a worker executes at once. Default: env PROMPTFLOW_WORKER_THREADS, else 4. */
  threads?: number
  /** Runs in progress per worker (per process); 0 = unlimited. Default depends on the flow (see admissionDefaults). */
  maxConcurrency?: number
  /** Runs waiting per worker. Default depends on the flow (see admissionDefaults). */
  queue?: number
  /** Per-request timeout in seconds, queue wait included; 0 = none. Default 300. */
  timeoutSeconds?: number
  /** Default: the file `apiKeyFile`, else env FLOODGATE_API_KEY. */
  apiKey?: string
  /** A file holding the key (one line), so that it is not on the command line where `ps` shows it. */
  apiKeyFile?: string
  logLevel?: string
  /** Largest request body in bytes. Default 1 MiB. */
  bodyLimit?: number
  /** On SIGTERM/SIGINT, how long runs in progress may take to finish before they are cut. Default 30 s. */
  graceSeconds?: number
  /** listen() backlog; the kernel clamps it to net.core.somaxconn. */
  backlog?: number
  /** Seconds a client may take to send a request's headers (408 and closed beyond); 0 = none. Default 10. */
  headerTimeoutSeconds?: number
  /** Seconds an idle keep-alive connection stays open. Default 72. */
  idleTimeoutSeconds?: number
  /** Connections per worker; 0 = no cap. Default: what the open-file limit allows (see connections.ts). */
  maxConnections?: number
  /** `otlp=<collector URL>`: export each run as an OpenTelemetry trace. Default: no traces. */
  trace?: string
  /** --trace-protocol: http/protobuf or http/json. Default: env OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL, else http/protobuf. */
  traceProtocol?: string
}

export interface ResolvedServeOptions {
  flowDir: string
  host: string
  port: number
  workers: number
  threads: number
  maxConcurrency: number | undefined
  queue: number | undefined
  timeoutSeconds: number
  apiKey: string | undefined
  logLevel: string
  bodyLimit: number
  graceSeconds: number
  backlog: number
  headerTimeoutSeconds: number
  idleTimeoutSeconds: number
  maxConnections: number | undefined
  trace: string | undefined
  traceProtocol: string | undefined
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

export function resolveServeOptions(options: ServeOptions, env: NodeJS.ProcessEnv = process.env): ResolvedServeOptions {
  const resolved: ResolvedServeOptions = {
    flowDir: options.flowDir,
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 8080,
    workers: options.workers ?? envInt(env, 'PROMPTFLOW_WORKER_NUM') ?? availableParallelism(),
    threads: options.threads ?? envInt(env, 'PROMPTFLOW_WORKER_THREADS') ?? 4,
    maxConcurrency: options.maxConcurrency,
    queue: options.queue,
    timeoutSeconds: options.timeoutSeconds ?? 300,
    apiKey: options.apiKey || keyFromFile(options.apiKeyFile) || env.FLOODGATE_API_KEY || undefined,
    logLevel: options.logLevel ?? 'info',
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    graceSeconds: options.graceSeconds ?? 30,
    backlog: options.backlog ?? 8192,
    headerTimeoutSeconds: options.headerTimeoutSeconds ?? 10,
    idleTimeoutSeconds: options.idleTimeoutSeconds ?? 72,
    maxConnections: options.maxConnections,
    trace: options.trace,
    traceProtocol: options.traceProtocol
  }
  check(Number.isInteger(resolved.port) && resolved.port >= 0 && resolved.port <= 65535, '--port', resolved.port, 'an integer from 0 to 65535')
  check(Number.isInteger(resolved.workers) && resolved.workers >= 1, '--workers', resolved.workers, 'an integer of at least 1')
  check(Number.isInteger(resolved.threads) && resolved.threads >= 1, '--threads', resolved.threads, 'an integer of at least 1')
  if (resolved.maxConcurrency !== undefined) {
    check(Number.isInteger(resolved.maxConcurrency) && resolved.maxConcurrency >= 0, '--max-concurrency', resolved.maxConcurrency, 'an integer of at least 0 (0 = unlimited)')
  }
  if (resolved.queue !== undefined) {
    check(Number.isInteger(resolved.queue) && resolved.queue >= 0, '--queue', resolved.queue, 'an integer of at least 0')
  }
  checkSeconds(resolved.timeoutSeconds, 0, '--timeout', 'a number of seconds, at least 0 (0 = none)')
  check(Number.isInteger(resolved.bodyLimit) && resolved.bodyLimit >= 1, '--body-limit', resolved.bodyLimit, 'a number of bytes, at least 1')
  checkSeconds(resolved.graceSeconds, 0, '--grace', 'a number of seconds, at least 0')
  checkSeconds(resolved.headerTimeoutSeconds, 0, '--header-timeout', 'a number of seconds, at least 0 (0 = none)')
  checkSeconds(resolved.idleTimeoutSeconds, Number.MIN_VALUE, '--idle-timeout', 'a number of seconds above 0')
  if (resolved.maxConnections !== undefined) {
    check(Number.isInteger(resolved.maxConnections) && resolved.maxConnections >= 0, '--max-connections', resolved.maxConnections, 'an integer of at least 0 (0 = no cap)')
  }
  parseTraceFlag(resolved.trace, resolved.traceProtocol, env)
  check(LOG_LEVELS.includes(resolved.logLevel), '--log-level', resolved.logLevel, `one of ${LOG_LEVELS.join(', ')}`)
  return resolved
}

export interface AdmissionDefaults {
  maxConcurrency: number
  queue: number
}

/**
 * Per-process admission limits when the user gives none; `runs` is the run slots of the process
 * (--threads, or workers x threads in the one process serving a pool-bound flow).
 * - Async-only flows: a run in flight costs memory only (a few KB of promises and buffers) while it
 *   waits on I/O, so concurrency is cheap: 10,000 per worker, enough for the 10,000-connection target on
 *   one worker; the queue (1,000) only absorbs bursts.
 * - Flows with sync tools: throughput is fixed by the run slots (slots / run time). Admitting more runs
 *   than slots only makes them wait, which is what made the study's sync server answer after tens of
 *   seconds. So: `runs` in flight, and an eighth of that waiting (at least 1), so an admitted request
 *   waits at most about an eighth of a run for its slot, and a burst that arrives just before slots
 *   free up is not refused. Measured on the study's load (8 x 8, 500 users, A/B): a queue of 64 put the
 *   admitted median at 2.5 s; 8 at 1.36-1.43 s with 46.6-48.1 req/s served; none at 1.26-1.37 s with
 *   40.3-45.9 req/s (slots left idle between a run's end and the next request).
 */
export function admissionDefaults(runs: number, hasSyncTools: boolean): AdmissionDefaults {
  if (!hasSyncTools) return { maxConcurrency: 10_000, queue: 1_000 }
  return { maxConcurrency: runs, queue: Math.max(1, Math.ceil(runs / 8)) }
}

function keyFromFile(file: string | undefined): string | undefined {
  if (file === undefined) return undefined
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new UsageError(`--api-key-file ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? messageOf(err)})`, { flag: '--api-key-file' })
  }
  const key = text.trim()
  if (key === '') throw new UsageError(`--api-key-file ${file}: the file is empty; write the key in it`, { flag: '--api-key-file' })
  return key
}

function envInt(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name]
  if (raw === undefined || raw.trim() === '') return undefined
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`environment variable ${name} must be a whole number of at least 1, got "${raw}"`, { field: name })
  return n
}

function check(ok: boolean, flag: string, value: unknown, expected: string): void {
  if (!ok) throw new UsageError(`${flag} must be ${expected}, got ${JSON.stringify(value)}`, { flag })
}

/** Seconds a timer waits: at least `min`, and no longer than a timer holds. */
function checkSeconds(value: number, min: number, flag: string, expected: string): void {
  check(Number.isFinite(value) && value >= min, flag, value, expected)
  if (value > MAX_TIMER_SECONDS) throw new UsageError(`${flag} must be at most ${MAX_TIMER_TEXT}, got ${JSON.stringify(value)}`, { flag })
}
