// Messages between the cluster primary and its workers (over node:cluster's IPC channel).
import type { MetricObjectWithValues, MetricValue } from 'prom-client'

export const READY = 'floodgate:ready'
export const FATAL = 'floodgate:fatal'
export const METRICS_REQ = 'floodgate:metrics-req'
export const METRICS_RES = 'floodgate:metrics-res'
export const SNAPSHOT_REQ = 'floodgate:snapshot-req'
export const SNAPSHOT_RES = 'floodgate:snapshot-res'
export const PING = 'floodgate:ping'
export const PONG = 'floodgate:pong'
export const OPTIONS_ENV = 'FLOODGATE_SERVE_OPTIONS'

/** `holds`: how many workers' runs this one holds (all of them for a pool-bound flow: fork no others). */
export interface ReadyMessage { type: typeof READY; port: number; maxConcurrency: number; queue: number; holds: number }
/** A worker could not start: the flow is invalid, the port is taken... `name` is the error's class. */
export interface FatalMessage { type: typeof FATAL; name: string; message: string; exitCode: number }
/** A worker asks the primary for /metrics of the whole server. */
export interface MetricsRequest { type: typeof METRICS_REQ; id: number }
export interface MetricsResponse { type: typeof METRICS_RES; id: number; text?: string; error?: string }
/** The primary asks a worker for its own registry, as prom-client's JSON. */
export interface SnapshotRequest { type: typeof SNAPSHOT_REQ; id: number }
export interface SnapshotResponse { type: typeof SNAPSHOT_RES; id: number; metrics: MetricsJson }
/** The primary's heartbeat; the worker answers from its event loop. */
export interface Ping { type: typeof PING }
export interface Pong { type: typeof PONG }

export type MetricsJson = Array<MetricObjectWithValues<MetricValue<string>>>

export function isMessage<T extends { type: string }>(value: unknown, type: T['type']): value is T {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === type
}
