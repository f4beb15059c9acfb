// Who may use the page: with a token, every request carries it (Authorization: Bearer T, or ?token=T,
// which the page keeps for its own calls) or gets 401. Without one (loopback only), the Host header must
// name a loopback address too, so a web page elsewhere cannot reach the UI through DNS rebinding.
import { timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { isLoopback } from './options.js'

function tokenOf(req: FastifyRequest): string | null {
  const header = req.headers.authorization
  if (header?.startsWith('Bearer ')) return header.slice(7).trim()
  const query = (req.query as Record<string, unknown> | undefined)?.token
  return typeof query === 'string' ? query : null
}

function sameToken(given: string, expected: Buffer): boolean {
  const g = Buffer.from(given)
  return g.length === expected.length && timingSafeEqual(g, expected)
}

/** Host header's name without its port ("[::1]:8089" -> "::1"). */
function hostName(host: string | undefined): string {
  if (!host) return ''
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'))
  return host.replace(/:\d+$/, '')
}

/** An onRequest hook enforcing the token (or, without one, a loopback Host). */
export function guard(token: string | null) {
  const expected = token === null ? null : Buffer.from(token)
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (expected === null) {
      if (!isLoopback(hostName(req.headers.host))) {
        await reply.code(403).send({ success: false, message: 'this page answers requests to a loopback address only (start it with --ui-host and --ui-token to share it)' })
      }
      return
    }
    const given = tokenOf(req)
    if (given === null || !sameToken(given, expected)) {
      await reply.code(401).header('www-authenticate', 'Bearer').send({
        success: false,
        message: given === null ? 'this page needs its token: open the URL floodgate printed (?token=...) or send Authorization: Bearer <token>' : 'wrong token'
      })
    }
  }
}
