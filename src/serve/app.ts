// The HTTP application for one flow: fastify with pf serve's routes, one error envelope, admission,
// metrics and one log line per request. Built by a function so tests can inject() or listen on port 0,
// and so the in-process server and every cluster worker run the very same app.
import Fastify, { type FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { CompiledFlow } from '../executor/types.js'
import { HttpRequestError, ShuttingDownError } from '../errors.js'
import { Admission, type AdmissionLimits } from './admission.js'
import { Deadlines } from './deadlines.js'
import { apiKeyCheck } from './auth.js'
import { ROUTES, clientErrorResponse, sendError } from './errors.js'
import { ResponseTracker } from './response-tracker.js'
import { ConnectionGuard } from './connections.js'
import { ServeMetrics } from './metrics.js'
import { registerFeedback, registerInfo } from './routes/info.js'
import { ownMetrics, registerMetrics, type MetricsSource } from './routes/metrics.js'
import { registerScore } from './routes/score.js'
import { requestIdOf } from './request-id.js'
import type { RunTracer } from '../trace/index.js'

export interface AppOptions {
  admission: AdmissionLimits
  /** Per-request timeout in ms, queue wait included; 0 means none. */
  timeoutMs: number
  /** Largest request body in bytes (413 beyond). */
  bodyLimit: number
  /** Time a client may take to send its request headers, in ms; 0 means none. */
  headersTimeoutMs: number
  /** Time an idle keep-alive connection stays open, in ms. */
  idleTimeoutMs: number
  /** Connections this process holds at most (see connections.ts); 0 means no cap. */
  maxConnections: number
  /** When set, /score and /feedback require it (401 otherwise). */
  apiKey?: string
  /** A pino logger; omit for a silent app (tests). */
  logger?: Logger
  /**
   * Where GET /metrics reads from. Default: this app's own registry. A cluster worker passes the
   * primary's aggregate instead.
   */
  metricsSource?: (own: ServeMetrics) => MetricsSource
  /** Exports each /score run as a trace (--trace); null or absent: none. */
  tracer?: RunTracer | null
}

export interface FloodgateApp extends FastifyInstance {
  admission: Admission
  metrics: ServeMetrics
  /** Set when the server starts draining: from then on every new request is answered 503. */
  draining: DrainState
}

export interface DrainState {
  active: boolean
  /** Requests answered 503 because the server was draining. */
  refused: number
}

/** How often Node looks for connections past their header timeout. */
const CONNECTIONS_CHECK_MS = 1000

export function buildApp(flow: CompiledFlow, options: AppOptions): FloodgateApp {
  const logger = options.logger
  // No logger is given to fastify: its per-request child logger and response listeners are replaced by
  // one listener per response (exchange.ts), which writes the log line through `logger` itself.
  const app = Fastify({
    bodyLimit: options.bodyLimit,
    genReqId: requestIdOf,
    // Runs may be long (an LLM flow, a queue wait): only --timeout ends them, never the socket layer.
    // Receiving the headers is not part of a run: a client gets --header-timeout for it (Node checks
    // the connections once a second), then 408. requestTimeout 0 alone would make Node drop that too.
    connectionTimeout: 0,
    requestTimeout: 0,
    http: { headersTimeout: options.headersTimeoutMs, requestTimeout: 0, connectionsCheckingInterval: CONNECTIONS_CHECK_MS },
    keepAliveTimeout: options.idleTimeoutMs,
    maxRequestsPerSocket: 0,
    // On close, idle connections are closed and busy ones finish; new requests on open connections are
    // answered 503 by the first onRequest hook below (in the envelope, logged and counted), not by
    // fastify's own 503, which no hook or log line sees.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // What Node's parser refuses (431, 408, a malformed request) and fastify's own 400 for a bad URL,
    // in the envelope too.
    clientErrorHandler: (err, socket) => {
      if ((err as NodeJS.ErrnoException).code === 'ECONNRESET' || socket.destroyed) return
      socket.end(clientErrorResponse(err, options.headersTimeoutMs / 1000))
    },
    frameworkErrors: (err, request, reply) => {
      exchanges.begin(request, reply)
      sendError(reply.header('x-request-id', request.id), err, options.bodyLimit)
    }
  }) as unknown as FloodgateApp

  const admission = new Admission(options.admission)
  const connections = options.maxConnections > 0 ? new ConnectionGuard(app.server, options.maxConnections, logger) : null
  const tracer = options.tracer ?? null
  const metrics = new ServeMetrics(flow, admission, connections, tracer)
  const exchanges = new ResponseTracker(metrics, logger, connections)
  const draining: DrainState = { active: false, refused: 0 }
  const shuttingDown = new ShuttingDownError('the server is shutting down; retry (another instance or the restarted server will answer)')
  app.decorate('admission', admission)
  app.decorate('metrics', metrics)
  app.decorate('draining', { getter: () => draining })

  // pf serve reads the body whatever its Content-Type (curl -d sends form-urlencoded): take it as text.
  app.removeAllContentTypeParsers()
  const asText = (_request: unknown, body: string | Buffer, done: (err: null, body: string | Buffer) => void): void => done(null, body)
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: options.bodyLimit }, asText)
  // fastify remembers the parser it found for a Content-Type, but not when it is the catch-all: every
  // JSON request had its header parsed into a ContentType object (and a Map of parameters) again.
  // JSON, what nearly every client sends, is named as well, so that its lookup is one cache hit.
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: options.bodyLimit }, asText)

  app.addHook('onRequest', (request, reply, done) => {
    exchanges.begin(request, reply)
    reply.header('x-request-id', request.id)
    const clientId = request.headers['x-ms-client-request-id']
    if (clientId !== undefined) reply.header('x-ms-client-request-id', clientId)
    if (draining.active) {
      draining.refused++
      sendError(reply.header('connection', 'close'), shuttingDown)
      return
    }
    done()
  })

  // The request's log line (exchange.ts) says what failed, under its request id.
  app.setErrorHandler((err, _request, reply) => {
    sendError(reply, err, options.bodyLimit)
  })
  app.setNotFoundHandler((request, reply) => {
    sendError(
      reply,
      new HttpRequestError(404, `no route ${request.method} ${request.url}; ${ROUTES}`, { field: 'url' })
    )
  })

  const deadlines = options.timeoutMs > 0 ? new Deadlines(options.timeoutMs) : null
  const ctx = { flow, admission, metrics, deadlines, bodyLimit: options.bodyLimit, tracer }
  app.register(async (scope) => {
    if (options.apiKey) scope.addHook('onRequest', apiKeyCheck(options.apiKey))
    registerScore(scope, ctx)
    registerFeedback(scope, logger)
  })
  registerInfo(app, flow, options.apiKey !== undefined)
  registerMetrics(app, options.metricsSource?.(metrics) ?? ownMetrics(metrics))
  app.addHook('onClose', (_instance, done) => {
    metrics.close()
    deadlines?.close()
    done()
  })
  return app
}
