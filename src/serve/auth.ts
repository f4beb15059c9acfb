// --api-key: callers send `Authorization: Bearer <key>` (as for a PromptFlow online endpoint) or an
// `api-key: <key>` header. Compared in constant time, as SHA-256 digests: both sides are 32 bytes
// whatever the key's length, so neither the comparison nor an early length check tells a caller how long
// the key is. Probes (/health, /version) and /metrics stay open.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { HttpRequestError } from '../errors.js'
import { sendError } from './errors.js'

export function apiKeyCheck(key: string): (request: FastifyRequest, reply: FastifyReply, done: () => void) => void {
  const expected = digest(key)
  const missing = new HttpRequestError(401, 'missing API key: send the header "Authorization: Bearer <key>"', { field: 'Authorization' })
  const wrong = new HttpRequestError(401, 'invalid API key', { field: 'Authorization' })
  return (request, reply, done) => {
    const given = presentedKey(request)
    if (given === undefined) {
      sendError(reply.header('www-authenticate', 'Bearer'), missing)
      return
    }
    if (!timingSafeEqual(digest(given), expected)) {
      sendError(reply.header('www-authenticate', 'Bearer'), wrong)
      return
    }
    done()
  }
}

function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (header !== undefined) {
    const match = /^Bearer\s+(.+)$/i.exec(header)
    return match ? match[1].trim() : header.trim()
  }
  const apiKey = request.headers['api-key']
  return typeof apiKey === 'string' ? apiKey : undefined
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest()
}
