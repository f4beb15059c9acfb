// Request ids for requests that bring none: UUID-shaped (pf serve sends uuid4s; log tools expect that
// shape) but made of a random per-process prefix and a counter. randomUUID() builds its string from ~20
// concatenated pieces that Node flattens again when it validates the response header; together that
// was a measurable share of a small request's cost. The random prefix keeps ids unique across cluster
// workers and restarts; the counter keeps them unique within a process (2^48 requests).
import { randomBytes } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

const MAX_GIVEN_LENGTH = 200

function newPrefix(): string {
  const hex = randomBytes(10).toString('hex')
  // Version nibble 4 and variant 10xx, as in a v4 UUID: xxxxxxxx-xxxx-4xxx-Vxxx-
  const variant = ((parseInt(hex[12], 16) & 0x3) | 0x8).toString(16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(16, 19)}-`
}

const prefix = newPrefix()
let sequence = 0

/** A fresh id: 36 characters, lowercase hex and dashes. */
export function newRequestId(): string {
  sequence++
  return prefix + sequence.toString(16).padStart(12, '0')
}

/** The client's x-request-id, else its x-ms-client-request-id, the first usable; else a fresh id. */
export function requestIdOf(req: IncomingMessage): string {
  return usable(req.headers['x-request-id']) ?? usable(req.headers['x-ms-client-request-id']) ?? newRequestId()
}

function usable(id: string | string[] | undefined): string | undefined {
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_GIVEN_LENGTH ? id : undefined
}
