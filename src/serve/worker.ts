// Entry of a cluster worker process: one in-process server on the shared port. Its options come from
// the primary through the environment; it reports ready (or why it could not start) over IPC, answers
// the primary's heartbeat and metric requests, and drains on SIGTERM/SIGINT or when the primary goes away.
import { exitCodeOf } from '../cli/exit.js'
import { FloodgateError, messageOf } from '../errors.js'
import { FATAL, METRICS_REQ, METRICS_RES, OPTIONS_ENV, PING, PONG, READY, SNAPSHOT_REQ, SNAPSHOT_RES, isMessage } from './ipc.js'
import type { MetricsResponse, Ping, SnapshotRequest } from './ipc.js'
import { METRICS_BUDGET_MS } from './cluster-metrics.js'
import type { ServeOptions } from './options.js'
import { startServer, type RunningServer } from './server.js'
import { guardProcess } from './tool-faults.js'
import { startWatchdog, watchdogReportAfterMs } from './watchdog.js'
import type { MetricsSource } from './routes/metrics.js'

const send = (message: unknown): void => {
  if (process.connected) process.send?.(message)
}

/** Beyond the primary's own budget for the workers' answers, how long a worker waits for the sum. */
const PRIMARY_MARGIN_MS = 4000

/** /metrics in a worker: the primary sums every worker's registry and hands the text back. */
function clusterMetrics(contentType: string): MetricsSource {
  let nextId = 0
  const pending = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void; timer: NodeJS.Timeout }>()
  process.on('message', (message: unknown) => {
    if (!isMessage<MetricsResponse>(message, METRICS_RES)) return
    const waiter = pending.get(message.id)
    if (!waiter) return
    pending.delete(message.id)
    clearTimeout(waiter.timer)
    if (message.error !== undefined) waiter.reject(new Error(`metrics aggregation failed: ${message.error}`))
    else waiter.resolve(message.text ?? '')
  })
  const waitMs = METRICS_BUDGET_MS + PRIMARY_MARGIN_MS
  return {
    contentType,
    scrape: () =>
      new Promise<string>((resolve, reject) => {
        const id = nextId++
        const timer = setTimeout(() => {
          pending.delete(id)
          reject(new FloodgateError(`the cluster primary did not answer the metrics request within ${waitMs / 1000} s`))
        }, waitMs)
        pending.set(id, { resolve, reject, timer })
        send({ type: METRICS_REQ, id })
      })
  }
}

async function main(): Promise<void> {
  const options = JSON.parse(process.env[OPTIONS_ENV] ?? '{}') as ServeOptions
  let server: RunningServer
  try {
    server = await startServer({ ...options, workers: 1, clusterWorkers: options.workers, metricsSource: (own) => clusterMetrics(own.registry.contentType) })
  } catch (err) {
    const exitCode = exitCodeOf(err) || 1
    const fatal = { type: FATAL, name: err instanceof Error ? err.name : 'Error', message: messageOf(err), exitCode }
    // Exit once the message is out (a disconnect alone would make node:cluster exit this worker with 0).
    if (process.connected && process.send) process.send(fatal, () => process.exit(exitCode))
    else process.exit(exitCode)
    return
  }
  const registry = server.app.metrics.registry
  process.on('message', (message: unknown) => {
    if (isMessage<Ping>(message, PING)) {
      // Answered from the event loop: a late answer is the primary's sign that something blocks it.
      send({ type: PONG })
    } else if (isMessage<SnapshotRequest>(message, SNAPSHOT_REQ)) {
      registry.getMetricsAsJSON().then((metrics) => send({ type: SNAPSHOT_RES, id: message.id, metrics }))
    }
  })
  const admission = server.app.admission
  send({ type: READY, port: server.port, maxConcurrency: admission.maxConcurrency, queue: admission.maxQueue, holds: server.holds })

  const stop = (code: number): void => {
    server.close().then(
      () => process.exit(code),
      (err: unknown) => {
        process.stderr.write(`floodgate worker ${process.pid}: shutdown failed: ${messageOf(err)}\n`)
        process.exit(1)
      }
    )
  }
  const drain = (): void => stop(0)
  process.once('SIGTERM', drain)
  process.once('SIGINT', drain)
  process.once('disconnect', drain)
  // A fault of unknown origin: drain, then exit non-zero so that the primary forks a replacement.
  guardProcess(server.flow.name, server.logger, () => stop(1))
  if (server.logger.isLevelEnabled('warn')) startWatchdog(server.flow.name, watchdogReportAfterMs(server.options.timeoutSeconds), server.logger)
}

await main()
