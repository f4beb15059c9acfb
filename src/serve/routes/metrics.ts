// GET /metrics: Prometheus text. In a cluster worker, `scrape` asks the primary for the sum of all
// workers (prom-client's AggregatorRegistry), so any worker's answer covers the whole server.
import type { FastifyInstance } from 'fastify'
import { sendError } from '../errors.js'
import type { ServeMetrics } from '../metrics.js'

export interface MetricsSource {
  contentType: string
  scrape(): Promise<string>
}

export function registerMetrics(app: FastifyInstance, source: MetricsSource): void {
  app.get('/metrics', (_request, reply) => {
    source.scrape().then(
      (text) => reply.type(source.contentType).send(text),
      (err: unknown) => sendError(reply, err)
    )
  })
}

/** This process's own registry (one worker, or tests). */
export function ownMetrics(metrics: ServeMetrics): MetricsSource {
  return { contentType: metrics.registry.contentType, scrape: () => metrics.registry.metrics() }
}
