// What happens once per request around the handler, written for the hot path. Fastify's own per-request
// machinery (a child logger, two response listeners, a route-options object for the onResponse hook)
// cost a measurable share of a small request; here one shared 'close' listener per response records
// the metrics, writes the log line and tells a /score run that its client left.
import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Logger } from 'pino'
import type { ServeMetrics } from './metrics.js'
import type { ConnectionGuard } from './connections.js'

/** Told when the response closes (normally after it was sent, or early: the client left). */
export interface CloseWatcher {
  closed(): void
}

/** Status recorded for a response that closed before it was sent: the client went away (nginx's 499). */
export const CLIENT_CLOSED = 499

const kRequest = Symbol('floodgate.request')
const kStartedAt = Symbol('floodgate.startedAt')
const kWatcher = Symbol('floodgate.watcher')
const kSocket = Symbol('floodgate.socket')
const kError = Symbol('floodgate.error')

interface Watched extends ServerResponse {
  [kRequest]: FastifyRequest
  [kStartedAt]: number
  [kWatcher]: CloseWatcher | null
  // The request's connection (res.socket is gone by the time 'close' fires).
  [kSocket]: Socket
  // The error the answer was made from, for the log line; set only on failures.
  [kError]?: unknown
}

export class ResponseTracker {
  private readonly onClose: (this: ServerResponse) => void

  constructor(metrics: ServeMetrics, logger: Logger | undefined, private readonly connections: ConnectionGuard | null) {
    const logRequests = logger?.isLevelEnabled('info') ?? false
    const logFailures = logger?.isLevelEnabled('error') ?? false
    this.onClose = function (this: ServerResponse): void {
      const res = this as Watched
      connections?.requestEnded(res[kSocket])
      res[kWatcher]?.closed()
      const request = res[kRequest]
      const ms = performance.now() - res[kStartedAt]
      const status = res.writableFinished ? res.statusCode : CLIENT_CLOSED
      metrics.recordRequest(routeOf(request), status, ms / 1000)
      const err = res[kError]
      if (err !== undefined && status >= 500 && logFailures) {
        // The whole error (paths, addresses) stays here, under the request id the client got.
        logger!.error({ reqId: request.id, method: request.method, url: request.url, status, ms: Math.round(ms * 10) / 10, err }, 'request failed')
      } else if (logRequests) {
        logger!.info({ reqId: request.id, method: request.method, url: request.url, status, ms: Math.round(ms * 10) / 10 }, 'request')
      }
    }
  }

  /** Starts watching a request's response; called once per request, first thing. */
  begin(request: FastifyRequest, reply: FastifyReply): void {
    const res = reply.raw as Watched
    res[kRequest] = request
    res[kStartedAt] = performance.now()
    res[kWatcher] = null
    res[kSocket] = request.raw.socket
    this.connections?.requestStarted(res[kSocket])
    res.on('close', this.onClose)
  }
}

/** performance.now() when the request was received. */
export function startedAtOf(reply: FastifyReply): number {
  return (reply.raw as Watched)[kStartedAt]
}

/** Keeps the error an answer is made from for the request's log line. */
export function noteError(reply: FastifyReply, err: unknown): void {
  ;(reply.raw as Watched)[kError] = err
}

/** Tells `watcher` when the response of `reply` closes. */
export function watchClose(reply: FastifyReply, watcher: CloseWatcher): void {
  ;(reply.raw as Watched)[kWatcher] = watcher
}

// Every route of the server is a fixed path (no parameters), so a matched request's path is its route.
function routeOf(request: FastifyRequest): string {
  if (request.is404) return 'unmatched'
  const url = request.url
  const query = url.indexOf('?')
  return query < 0 ? url : url.slice(0, query)
}
