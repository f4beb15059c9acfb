// Messages between the cluster primary and its workers (over node:cluster's IPC channel).
export const READY = 'floodgate:ready'
export const FATAL = 'floodgate:fatal'
export const METRICS_REQ = 'floodgate:metrics-req'
export const METRICS_RES = 'floodgate:metrics-res'
export const OPTIONS_ENV = 'FLOODGATE_SERVE_OPTIONS'

/** `holds`: how many workers' runs this one holds (all of them for a pool-bound flow: fork no others). */
export interface ReadyMessage { type: typeof READY; port: number; maxConcurrency: number; queue: number; holds: number }
/** A worker could not start: the flow is invalid, the port is taken... `name` is the error's class. */
export interface FatalMessage { type: typeof FATAL; name: string; message: string; exitCode: number }
export interface MetricsRequest { type: typeof METRICS_REQ; id: number }
export interface MetricsResponse { type: typeof METRICS_RES; id: number; text?: string; error?: string }

export type WorkerMessage = ReadyMessage | FatalMessage | MetricsRequest

export function isMessage<T extends { type: string }>(value: unknown, type: T['type']): value is T {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === type
}
