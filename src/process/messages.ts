// The one message format between a cluster primary and its workers (node:cluster's IPC channel), for
// serve and mock alike: `{type: 'floodgate:<what>', ...}`. A request carries an `id` and is answered by
// a REPLY with the same id, in either direction (a worker asks the primary for the cluster's /metrics or
// /stats; the primary asks each worker for its own counters).

export const READY = 'floodgate:ready'
export const FATAL = 'floodgate:fatal'
export const PING = 'floodgate:ping'
export const PONG = 'floodgate:pong'
export const REPLY = 'floodgate:reply'

/**
 * A worker is listening. `holds`: how many workers' runs this one holds (serve: all of them for a flow
 * whose every node is a sync tool, and then no other worker is started).
 */
export interface ReadyMessage { type: typeof READY; port: number; holds?: number; [detail: string]: unknown }
/** A worker could not start: the flow is invalid, the port is taken... `name` is the error's class. */
export interface FatalMessage { type: typeof FATAL; name: string; message: string; exitCode: number }
/** The primary's heartbeat; the worker answers from its event loop. */
export interface Ping { type: typeof PING }
export interface Pong { type: typeof PONG }
/** A request: anything with an id that expects a REPLY. */
export interface Request { type: string; id: number; [field: string]: unknown }
export interface Reply { type: typeof REPLY; id: number; value?: unknown; error?: string }

export function isMessage<T extends { type: string }>(value: unknown, type: T['type']): value is T {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === type
}

type Send = (message: object) => void

/** The requests one side has sent and not yet had answered. */
export class Requests {
  private nextId = 0
  private readonly pending = new Map<number, (reply: Reply | undefined) => void>()

  /** Sends `message` with a new id; resolves with its reply, or undefined when none came within `timeoutMs`. */
  ask(send: Send, message: { type: string; [field: string]: unknown }, timeoutMs: number): Promise<Reply | undefined> {
    const id = this.nextId++
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        resolve(undefined)
      }, timeoutMs)
      this.pending.set(id, (reply) => {
        clearTimeout(timer)
        this.pending.delete(id)
        resolve(reply)
      })
      send({ ...message, id })
    })
  }

  /** Settles the request `message` replies to; false when it is no reply to a request still waiting. */
  settle(message: unknown): boolean {
    if (!isMessage<Reply>(message, REPLY)) return false
    const waiter = this.pending.get(message.id)
    waiter?.(message)
    return waiter !== undefined
  }
}

/** Replies to `request` with what `work` resolves to, or with its error's message. */
export function reply(send: Send, request: Request, work: Promise<unknown>): void {
  work.then(
    (value) => send({ type: REPLY, id: request.id, value } satisfies Reply),
    (err: unknown) => send({ type: REPLY, id: request.id, error: err instanceof Error ? err.message : String(err) } satisfies Reply)
  )
}
