// The cluster primary of `floodgate serve --workers N` (src/process/cluster.ts) with what is serve's:
// workers accept from the shared socket, the heartbeat follows --timeout, the primary sums the workers'
// metrics for /metrics (cluster-metrics.ts) and logs through pino. It loads no flow and serves no request.
import type { Logger } from 'pino'
import pino from 'pino'
import { siblingUrl, startPrimary, urlOf } from '../process/index.js'
import { ClusterMetrics, METRICS_BUDGET_MS } from './cluster-metrics.js'
import { METRICS, OPTIONS_ENV, SNAPSHOT, type MetricsJson } from './messages.js'
import type { ResolvedServeOptions } from './options.js'

export interface ClusterHandle {
  url: string
  workers: number
  /** Worker processes forked: 1 when the first worker holds every worker's runs (a pool-bound flow). */
  processes: number
  /** Resolves when every worker has exited after a shutdown signal. */
  closed: Promise<void>
  /** Same as receiving SIGTERM. */
  shutdown(): void
}

export async function startCluster(options: ResolvedServeOptions, logger: Logger = primaryLogger(options.logLevel)): Promise<ClusterHandle> {
  const env = { [OPTIONS_ENV]: JSON.stringify(options) }
  // Scrapes ask the primary's workers; the first comes once a worker is ready, so after `primary` is set.
  const metrics = new ClusterMetrics(
    () => primary.readyWorkers(),
    (worker) => primary.ask(worker, { type: SNAPSHOT }, METRICS_BUDGET_MS) as Promise<MetricsJson | undefined>
  )
  const primary = startPrimary({
    entry: siblingUrl('worker', import.meta.url),
    env: () => env,
    // Worker 0 starts alone: once it has loaded the flow it says whether it holds every worker's runs (a
    // flow whose every node is a sync tool; see server.ts), and only otherwise are the others forked.
    workers: (first) => (first.holds === 1 ? options.workers : 1),
    // Workers accept from the shared socket themselves. With node:cluster's default round-robin the
    // primary accepts every connection and hands it to a worker over IPC, one at a time per worker, and a
    // busy worker answers each handoff only between event-loop turns: 10,000 connections opening at once
    // waited seconds in the primary (static_async, 10,000 connections: p99 13.2 s with round-robin, 4.6 s
    // without; the kernel spread them 4,972 / 5,028 over two workers). A connection handed to a worker in
    // the instant it was killed was also never answered; now it is reset, or accepted by another worker.
    // NODE_CLUSTER_SCHED_POLICY=rr restores round-robin.
    accept: 'shared',
    heartbeatMs: options.timeoutSeconds * 1000,
    graceMs: options.graceSeconds * 1000,
    onRequest: async (_worker, request) => {
      if (request.type !== METRICS) throw new Error(`unknown request ${request.type}`)
      return metrics.scrape()
    },
    events: {
      ready: (index, worker, message, restarted) => {
        // At start-up only the ready line is printed (at debug these say which pid is which worker); a
        // worker started again later is worth a line at info.
        const { maxConcurrency, queue, holds } = message
        logger[restarted ? 'info' : 'debug']({ worker: index, workerPid: worker.process.pid, maxConcurrency, queue, holds }, 'worker ready')
      },
      exited: (index, worker, { code, signal, livedMs, restartInMs }) => {
        logger.error({ worker: index, workerPid: worker.process.pid, code, signal, livedMs, restartInMs }, 'worker exited unexpectedly; restarting it')
        metrics.restarts.inc()
      },
      failedRestart: (index, worker, message) => {
        logger.error({ worker: index, workerPid: worker.process.pid, error: message }, 'restarted worker could not start')
      },
      silent: (index, worker, silentMs) => {
        logger.error(
          { worker: index, workerPid: worker.process.pid, silentMs: Math.round(silentMs), timeoutSeconds: options.timeoutSeconds },
          "worker's event loop did not answer within --timeout (its 'event loop blocked' line names the node); killing the worker, a new one is started"
        )
        metrics.killed.inc({ reason: 'heartbeat' })
      },
      gone: (worker) => metrics.retire(worker),
      draining: () => logger.info({ graceSeconds: options.graceSeconds }, 'shutting down: draining workers'),
      killedLate: (worker) => logger.warn({ workerPid: worker.process.pid }, 'worker did not drain within the grace period; killing it')
    }
  })
  await primary.started
  return {
    url: urlOf(options.host, primary.port),
    workers: options.workers,
    processes: primary.processes,
    closed: primary.closed,
    shutdown: primary.shutdown
  }
}

function primaryLogger(level: string): Logger {
  // Synchronous: the primary logs rarely, and a restart notice must not be lost if it dies right after.
  return pino({ level, base: { pid: process.pid, role: 'primary' } }, pino.destination({ dest: 1, sync: true }))
}
