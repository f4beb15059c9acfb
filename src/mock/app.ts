// The mock's fastify app for one process: the study's GET /, the OpenAI-compatible /v1, and the
// uncounted /health and /stats. No logger: per-request logging would make the mock the bottleneck.
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify'
import { TrackedRequest } from './tracked-request.js'
import { faultDrawer } from './faults.js'
import { llmRoutes } from './llm/routes.js'
import type { MockOptions } from './options.js'
import { delaySampler, delayStream, faultStream } from './random.js'
import type { MockStats, MockStatsSnapshot } from './stats.js'
import { studyRoute } from './study.js'

/** Where /stats reads from: this process's counters, or the sum over workers (through the primary). */
export interface StatsSource {
  get(): Promise<MockStatsSnapshot>
  clear(): Promise<void>
}

export interface AppContext {
  workerIndex: number
  /** The rate limit this process enforces: its share of --rate-limit when there are several workers. */
  rateLimit: number
  stats: MockStats
  statsSource: StatsSource
}

interface ExchangeHolder {
  floodgateMockExchange: TrackedRequest
}

function exchangeOf(reply: FastifyReply): TrackedRequest {
  return (reply as unknown as ExchangeHolder).floodgateMockExchange
}

export function buildMockApp(o: MockOptions, ctx: AppContext): FastifyInstance {
  const app = Fastify({
    logger: false,
    // Waiting and hung requests must not hold close() up.
    forceCloseConnections: true,
    // Hung requests are held until the client leaves; no server-side request timeout.
    requestTimeout: 0,
    connectionTimeout: 0
  })
  app.decorateReply('floodgateMockExchange', null)

  const nextDelay = delaySampler(o.latency, o.minWait, o.maxWait, delayStream(o.seed, ctx.workerIndex))
  const nextFault = faultDrawer(o, faultStream(o.seed, ctx.workerIndex))
  const { stats } = ctx

  // Counted API routes, in their own scope so /health and /stats stay out of the counts.
  app.register(async (api) => {
    api.addHook('onRequest', (_request, reply, done) => {
      const exchange = new TrackedRequest(stats)
      ;(reply as unknown as ExchangeHolder).floodgateMockExchange = exchange
      const res = reply.raw
      res.once('close', () => exchange.closed(res))
      done()
    })
    studyRoute(api, { minWait: o.minWait, maxWait: o.maxWait, errorStatus: o.errorStatus, nextDelay, nextFault, exchangeOf })
    api.register(async (v1) => {
      llmRoutes(v1, {
        model: o.model, ttft: o.ttft, tokensPerSec: o.tokensPerSec, rateLimit: ctx.rateLimit,
        errorStatus: o.errorStatus, workerIndex: ctx.workerIndex, nextFault, exchangeOf
      })
    }, { prefix: '/v1' })
  })

  app.get('/health', (_request, reply) => {
    reply.send({ status: 'Healthy' })
  })
  app.register(async (admin) => {
    // POST /stats/reset takes no body: accept and ignore whatever is sent, even an empty "JSON" one.
    admin.removeAllContentTypeParsers()
    admin.addContentTypeParser('*', (_req, _payload, done) => done(null))
    admin.get('/stats', async () => ctx.statsSource.get())
    admin.post('/stats/reset', async () => {
      await ctx.statsSource.clear()
      return ctx.statsSource.get()
    })
  })
  return app
}
