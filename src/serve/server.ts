// One serving process: load the flow once, build the app, listen. Used as is for `--workers 1`, by each
// cluster worker, and by tests and benchmarks (startServer on port 0).
//
// A flow whose every node is a sync tool is served by one process holding the runs of all `--workers`
// (workers x threads run slots, one pool): its event loop only parses requests and hands nodes to pool
// threads, which run on every core from one process as well as from many, and each further process
// would cost its own runtime and its own pool (8 x 8 threads in 8 processes: 2.1 GiB).
import pino, { type Logger } from 'pino'
import { compileFlow, createCompiledFlow, type CompiledFlow, type FlowParts } from '../executor/index.js'
import { StartupError, messageOf } from '../errors.js'
import { urlOf } from '../process/index.js'
import { buildApp, type AppOptions, type FloodgateApp } from './app.js'
import { defaultMaxConnections } from './connections.js'
import { RunTracer, parseTraceFlag, traceSummary } from '../trace/index.js'
import { admissionDefaults, resolveServeOptions, type ResolvedServeOptions, type ServeOptions } from './options.js'

export interface StartServerOptions extends ServeOptions {
  /** A logger to use instead of pino on stdout at `logLevel`. */
  logger?: Logger
  metricsSource?: AppOptions['metricsSource']
  /** In a cluster worker: the cluster's --workers, whose runs this process holds for a pool-bound flow. */
  clusterWorkers?: number
}

export interface RunningServer {
  /** http://host:port, with the port actually bound (useful with port 0). */
  url: string
  port: number
  app: FloodgateApp
  flow: CompiledFlow
  options: ResolvedServeOptions
  logger: Logger
  /** How many workers' runs this process holds: all of them for a pool-bound flow, else 1. */
  holds: number
  /** Stops accepting, lets runs in progress finish (up to the grace period), stops the pool. */
  close(): Promise<void>
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const resolved = resolveServeOptions(options)
  const parts = await compileFlow(resolved.flowDir)
  const holds = poolBound(parts) ? options.clusterWorkers ?? 1 : 1
  const runs = resolved.threads * holds
  const flow = await createCompiledFlow(parts, { threads: runs, nodeTimeoutMs: 0, runTimeoutMs: 0 })
  const defaults = admissionDefaults(runs, flow.poolStats().runSlots > 0)
  const logger = options.logger ?? createLogger(resolved.logLevel)
  const traceTo = parseTraceFlag(resolved.trace, resolved.traceProtocol)
  const tracer = traceTo ? new RunTracer(traceTo) : null
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
      metricsSource: options.metricsSource,
      tracer
    })
    await app.listen({ host: resolved.host, port: resolved.port, backlog: resolved.backlog })
  } catch (err) {
    await flow.close().catch(() => {})
    await tracer?.close(0)
    throw listenError(err, resolved)
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : resolved.port
  let closing: Promise<void> | undefined
  return {
    url: urlOf(resolved.host, port),
    port,
    app,
    flow,
    options: resolved,
    logger,
    holds,
    close: () => (closing ??= drain(app, flow, resolved.graceSeconds * 1000, logger, tracer))
  }
}

/** Stops accepting, waits for requests in progress up to `graceMs`, then cuts what is left. */
async function drain(app: FloodgateApp, flow: CompiledFlow, graceMs: number, logger: Logger, tracer: RunTracer | null): Promise<void> {
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
  if (tracer) {
    // The last runs' spans get a bounded time to reach the collector; what did not is said.
    const stats = await tracer.close()
    const level = stats.dropped + stats.failed > 0 ? 'warn' : 'info'
    logger[level]({ exported: stats.exported, dropped: stats.dropped, failed: stats.failed, lastError: stats.lastError ?? undefined }, traceSummary(tracer.options, stats))
  }
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

/** Every node runs on the sync-tool pool: the event loop has nothing to do but HTTP and hand-offs. */
export function poolBound(parts: FlowParts): boolean {
  return parts.plan.nodes.length > 0 && parts.plan.nodes.every((node) => node.place === 'pool')
}
