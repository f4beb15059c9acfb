// The OpenAI-compatible part of the mock, under /v1: chat completions and the model list.
// Order for a chat request: parse and validate (400), rate limit (429 + retry-after), fault draw
// (shared --error-rate / --reset-rate / --hang-rate), then the timed answer.
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { TrackedRequest } from '../tracked-request.js'
import { actOut, Fault } from '../faults.js'
import { answerChat } from './completion.js'
import { injectedError, sendOpenAiError } from './errors.js'
import { SlidingWindowLimiter } from './rate-limit.js'
import { parseChatRequest } from './validate.js'

export interface LlmRouteOptions {
  model: string
  ttft: number
  tokensPerSec: number
  /** Requests per minute this process admits (0 = no limit). */
  rateLimit: number
  errorStatus: number
  workerIndex: number
  nextFault: () => Fault
  exchangeOf: (reply: FastifyReply) => TrackedRequest
}

export function llmRoutes(app: FastifyInstance, o: LlmRouteOptions): void {
  const created = Math.floor(Date.now() / 1000)
  const modelEntry = { id: o.model, object: 'model', created, owned_by: 'floodgate' }
  const timing = { ttftMs: o.ttft * 1000, tokenMs: 1000 / o.tokensPerSec }
  const limiter = o.rateLimit > 0 ? new SlidingWindowLimiter(o.rateLimit) : null
  let served = 0

  // Bodies are parsed in the handler, so a non-JSON body gets OpenAI's error rather than fastify's.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body))
  app.setErrorHandler((err: { statusCode?: number; message: string }, _request, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500
    sendOpenAiError(reply, { status, message: err.message, type: status < 500 ? 'invalid_request_error' : 'server_error', param: null, code: null })
  })
  app.setNotFoundHandler((request, reply) => {
    sendOpenAiError(reply, { status: 404, message: `Unknown request URL: ${request.method} ${request.url}.`, type: 'invalid_request_error', param: null, code: 'unknown_url' })
  })

  app.get('/models', (_request, reply) => {
    reply.send({ object: 'list', data: [modelEntry] })
  })

  app.get<{ Params: { id: string } }>('/models/:id', (request, reply) => {
    if (request.params.id === o.model) reply.send(modelEntry)
    else sendOpenAiError(reply, { status: 404, message: `The model '${request.params.id}' does not exist`, type: 'invalid_request_error', param: 'model', code: 'model_not_found' })
  })

  app.post('/chat/completions', (request, reply) => {
    const exchange = o.exchangeOf(reply)
    const req = parseChatRequest(request.body)
    if ('status' in req) {
      sendOpenAiError(reply, req)
      return
    }
    if (limiter) {
      const waitMs = limiter.take(performance.now())
      if (waitMs > 0) {
        const seconds = Math.max(1, Math.ceil(waitMs / 1000))
        reply.header('retry-after', String(seconds))
          .header('x-ratelimit-limit-requests', String(o.rateLimit))
          .header('x-ratelimit-remaining-requests', '0')
          .header('x-ratelimit-reset-requests', `${seconds}s`)
        sendOpenAiError(reply, {
          status: 429,
          message: `Rate limit reached for ${req.model} on requests per min (RPM): Limit ${o.rateLimit}, Used ${o.rateLimit}, Requested 1. Please try again in ${seconds}s.`,
          type: 'requests',
          param: null,
          code: 'rate_limit_exceeded'
        })
        return
      }
    }
    const fault = o.nextFault()
    if (fault === Fault.Error) {
      sendOpenAiError(reply, injectedError(o.errorStatus))
      return
    }
    if (fault !== Fault.None) {
      actOut(fault, reply, exchange)
      return
    }
    served++
    answerChat(req, `chatcmpl-floodgate-${o.workerIndex}-${served}`, timing, reply, exchange)
  })
}
