// One serving process: load the flow once, build the app, listen. Used as is for `--workers 1`, by each
// cluster worker, and by tests and benchmarks (startServer on port 0).
import pino, { type Logger } from 'pino'
import { loadFlow } from '../flow/index.js'
import type { CompiledFlow } from '../executor/types.js'
import { StartupError, messageOf } from '../errors.js'
import { buildApp, type AppOptions, type FloodgateApp } from './app.js'
import { defaultMaxConnections } from './connections.js'
import { admissionDefaults, resolveServeOptions, type ResolvedServeOptions, type ServeOptions } from './options.js'

export interface StartServerOptions extends ServeOptions {
  /** A logger to use instead of pino on stdout at `logLevel`. */
  logger?: Logger
  metricsSource?: AppOptions['metricsSource']
}

export interface RunningServer {
  /** http://host:port, with the port actually bound (useful with port 0). */
  url: string
  port: number
  app: FloodgateApp
  flow: CompiledFlow
  options: ResolvedServeOptions
  logger: Logger
  /** Stops accepting, lets runs in progress finish (up to the grace period), stops the pool. */
  close(): Promise<void>
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const resolved = resolveServeOptions(options)
  const flow = await loadFlow(resolved.flowDir, { threads: resolved.threads, nodeTimeoutMs: 0, runTimeoutMs: 0 })
  const defaults = admissionDefaults(resolved.threads, usesPool(flow))
  const logger = options.logger ?? createLogger(resolved.logLevel)
  let app: FloodgateApp
  try {
    app = buildApp(flow, {
      admission: { maxConcurrency: resolved.maxConcurrency ?? defaults.maxConcurrency, queue: resolved.queue ?? defaults.queue },
      timeoutMs: resolved.timeoutSeconds * 1000,
      bodyLimit: resolved.bodyLimit,
      headersTimeoutMs: resolved.headerTimeoutSeconds * 1000,
      idleTimeoutMs: resolved.idleTimeoutSeconds * 1000,
      maxConnections: resolved.maxConnections ?? defaultMaxConnections(flow.poolStats().threads),
      apiKey: resolved.apiKey,
      logger,
      metricsSource: options.metricsSource
    })
    await app.listen({ host: resolved.host, port: resolved.port, backlog: resolved.backlog })
  } catch (err) {
    await flow.close().catch(() => {})
    throw listenError(err, resolved)
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : resolved.port
  const host = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host
  let closing: Promise<void> | undefined
  return {
    url: `http://${host}:${port}`,
    port,
    app,
    flow,
    options: resolved,
    logger,
    close: () => (closing ??= drain(app, flow, resolved.graceSeconds * 1000, logger))
  }
}

/** Stops accepting, waits for requests in progress up to `graceMs`, then cuts what is left. */
async function drain(app: FloodgateApp, flow: CompiledFlow, graceMs: number, logger: Logger): Promise<void> {
  app.draining.active = true
  const timer = setTimeout(() => app.server.closeAllConnections(), graceMs)
  // close() closes the connections idle at that moment; keep-alive connections whose run finishes later
  // become idle afterwards and would hold the server open until the grace period ends.
  const sweep = setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS)
  try {
    await app.close()
  } finally {
    clearTimeout(timer)
    clearInterval(sweep)
    await flow.close()
  }
  if (app.draining.refused > 0) logger.warn({ refused: app.draining.refused }, 'drained: requests that arrived meanwhile were answered 503 (shutting down)')
}

const IDLE_SWEEP_MS = 50

export function createLogger(level: string): Logger {
  // Asynchronous writes: a request's log line must not block the event loop on a slow stdout pipe.
  const destination = pino.destination({ dest: 1, sync: false })
  return pino({ level, base: { pid: process.pid } }, destination)
}

function listenError(err: unknown, options: ResolvedServeOptions): unknown {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'EADDRINUSE') {
    return new StartupError(`port ${options.port} on ${options.host} is already in use; stop the other server or choose another --port`, { flag: '--port' })
  }
  if (code === 'EACCES') {
    return new StartupError(`no permission to listen on port ${options.port} on ${options.host}; choose a port above 1023 with --port`, { flag: '--port' })
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new StartupError(`cannot listen on host ${options.host}: no such local address (${messageOf(err)}); check --host`, { flag: '--host' })
  }
  return err
}

/** Whether the flow runs tools on the worker-thread pool; the runtime starts a pool only for sync tools. */
function usesPool(flow: CompiledFlow): boolean {
  return flow.poolStats().threads > 0
}
