// Entry of a cluster worker process: one in-process server on the shared port. Its options come from
// the primary through the environment; it reports ready (or why it could not start) over IPC, answers
// the primary's metric requests, and drains on SIGTERM/SIGINT or when the primary goes away.
import { AggregatorRegistry } from 'prom-client'
import { exitCodeOf } from '../cli/exit.js'
import { messageOf } from '../errors.js'
import { FATAL, METRICS_REQ, METRICS_RES, OPTIONS_ENV, READY, isMessage, type MetricsResponse } from './ipc.js'
import type { ServeOptions } from './options.js'
import { startServer, type RunningServer } from './server.js'
import type { MetricsSource } from './routes/metrics.js'

const send = (message: unknown): void => {
  if (process.connected) process.send?.(message)
}

/** /metrics in a worker: the primary sums every worker's registry and hands the text back. */
function clusterMetrics(contentType: string): MetricsSource {
  let nextId = 0
  const pending = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void }>()
  process.on('message', (message: unknown) => {
    if (!isMessage<MetricsResponse>(message, METRICS_RES)) return
    const waiter = pending.get(message.id)
    if (!waiter) return
    pending.delete(message.id)
    if (message.error !== undefined) waiter.reject(new Error(`metrics aggregation failed: ${message.error}`))
    else waiter.resolve(message.text ?? '')
  })
  return {
    contentType,
    scrape: () =>
      new Promise<string>((resolve, reject) => {
        const id = nextId++
        pending.set(id, { resolve, reject })
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
  // The primary's AggregatorRegistry asks each worker for its registry through prom-client's listener.
  AggregatorRegistry.setRegistries([server.app.metrics.registry])
  new AggregatorRegistry()
  const admission = server.app.admission
  send({ type: READY, port: server.port, maxConcurrency: admission.maxConcurrency, queue: admission.maxQueue, holds: server.holds })

  const stop = (): void => {
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`floodgate worker ${process.pid}: shutdown failed: ${messageOf(err)}\n`)
        process.exit(1)
      }
    )
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
  process.once('disconnect', stop)
}

await main()
