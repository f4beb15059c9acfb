// Entry of a cluster worker process: one in-process server on the shared port. Its options come from
// the primary through the environment; it reports ready (or why it could not start) to the primary,
// answers its heartbeat and metric requests, and drains on SIGTERM or when the primary goes away
// (src/process/cluster-worker.ts).
import { FloodgateError, messageOf } from '../errors.js'
import { answerPrimary, askPrimary, drainOnStop, failStartup, reportReady } from '../process/index.js'
import { METRICS_BUDGET_MS } from './cluster-metrics.js'
import { METRICS, OPTIONS_ENV, SNAPSHOT } from './messages.js'
import type { ServeOptions } from './options.js'
import { startServer, type RunningServer } from './server.js'
import { guardProcess } from './tool-faults.js'
import { startWatchdog, watchdogReportAfterMs } from './watchdog.js'
import type { MetricsSource } from './routes/metrics.js'

/** Beyond the primary's own budget for the workers' answers, how long a worker waits for the sum. */
const PRIMARY_MARGIN_MS = 4000

/** /metrics in a worker: the primary sums every worker's registry and hands the text back. */
function clusterMetrics(contentType: string): MetricsSource {
  const waitMs = METRICS_BUDGET_MS + PRIMARY_MARGIN_MS
  return {
    contentType,
    scrape: async () => {
      const reply = await askPrimary({ type: METRICS }, waitMs)
      if (reply === undefined) throw new FloodgateError(`the cluster primary did not answer the metrics request within ${waitMs / 1000} s`)
      if (reply.error !== undefined) throw new Error(`metrics aggregation failed: ${reply.error}`)
      return (reply.value as string | undefined) ?? ''
    }
  }
}

async function main(): Promise<void> {
  const options = JSON.parse(process.env[OPTIONS_ENV] ?? '{}') as ServeOptions
  let server: RunningServer
  try {
    server = await startServer({ ...options, workers: 1, clusterWorkers: options.workers, metricsSource: (own) => clusterMetrics(own.registry.contentType) })
  } catch (err) {
    failStartup(err)
    return
  }
  const registry = server.app.metrics.registry
  answerPrimary(SNAPSHOT, () => registry.getMetricsAsJSON())
  const admission = server.app.admission
  reportReady({ port: server.port, maxConcurrency: admission.maxConcurrency, queue: admission.maxQueue, holds: server.holds })

  const stop = (code: number): void => {
    server.close().then(
      () => process.exit(code),
      (err: unknown) => {
        process.stderr.write(`floodgate worker ${process.pid}: shutdown failed: ${messageOf(err)}\n`)
        process.exit(1)
      }
    )
  }
  drainOnStop(() => stop(0))
  // A fault of unknown origin: drain, then exit non-zero so that the primary forks a replacement.
  guardProcess(server.flow.name, server.logger, () => stop(1))
  if (server.logger.isLevelEnabled('warn')) startWatchdog(server.flow.name, watchdogReportAfterMs(server.options.timeoutSeconds), server.logger)
}

await main()
