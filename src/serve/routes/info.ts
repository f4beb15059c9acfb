// GET /health, GET /version, GET /swagger.json and POST /feedback: pf serve's small routes. Their bodies
// are computed once at start; a probe costs a lookup and a write.
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import type { CompiledFlow } from '../../executor/types.js'
import { HttpRequestError, messageOf } from '../../errors.js'
import { version } from '../../version.js'
import { JSON_TYPE, sendError } from '../errors.js'
import { buildSwagger } from '../swagger.js'

export function registerInfo(app: FastifyInstance, flow: CompiledFlow, withAuth: boolean): void {
  const health = JSON.stringify({ status: 'Healthy', version })
  const versionBody = JSON.stringify({ status: 'Healthy', version, build_info: buildInfo() })
  const swagger = JSON.stringify(buildSwagger(flow, withAuth))

  app.get('/health', (_request, reply) => {
    reply.type(JSON_TYPE).send(health)
  })
  app.get('/version', (_request, reply) => {
    reply.type(JSON_TYPE).send(versionBody)
  })
  app.get('/swagger.json', (_request, reply) => {
    reply.type(JSON_TYPE).send(swagger)
  })
}

/** POST /feedback: logs the JSON it is given (pf serve's route for user ratings). */
export function registerFeedback(app: FastifyInstance, logger: Logger | undefined): void {
  const feedbackReceived = JSON.stringify({ status: 'Feedback received.' })
  app.post('/feedback', (request, reply) => {
    const text = (request.body as string | undefined) ?? ''
    let feedback: unknown
    try {
      feedback = JSON.parse(text)
    } catch (err) {
      sendError(reply, new HttpRequestError(400, `feedback body is not valid JSON (${messageOf(err)})`, { field: 'body' }))
      return
    }
    logger?.info({ reqId: request.id, feedback }, 'feedback')
    reply.type(JSON_TYPE).send(feedbackReceived)
  })
}

/** BUILD_INFO as pf serve reads it: JSON when it parses, else the raw string. */
function buildInfo(): unknown {
  const raw = process.env.BUILD_INFO ?? ''
  try {
    return JSON.parse(raw)
  } catch {
    return raw
  }
}
