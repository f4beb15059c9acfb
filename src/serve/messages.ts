// What serve's cluster primary and workers say to each other beyond src/process/messages.ts (same format).
import type { MetricObjectWithValues, MetricValue } from 'prom-client'

/** A worker asks the primary for /metrics of the whole server; the reply's value is the Prometheus text. */
export const METRICS = 'floodgate:metrics'
/** The primary asks a worker for its own registry; the reply's value is prom-client's JSON (MetricsJson). */
export const SNAPSHOT = 'floodgate:snapshot'
/** The environment variable that carries the resolved options to every worker. */
export const OPTIONS_ENV = 'FLOODGATE_SERVE_OPTIONS'

export type MetricsJson = Array<MetricObjectWithValues<MetricValue<string>>>
