// Fault injection: one draw per API request from the fault stream decides whether it is answered
// normally, with an error status, by a connection reset, or never. Faults act at once, before any delay.
import type { FastifyReply } from 'fastify'
import type { TrackedRequest } from './tracked-request.js'
import type { Random } from './random.js'

export enum Fault {
  None = 0,
  Error = 1,
  Reset = 2,
  Hang = 3
}

export interface FaultRates {
  errorRate: number
  resetRate: number
  hangRate: number
}

/** Returns a drawer; with every rate at 0 it returns None without consuming the stream. */
export function faultDrawer(rates: FaultRates, random: Random): () => Fault {
  const { resetRate, hangRate, errorRate } = rates
  if (resetRate + hangRate + errorRate === 0) return () => Fault.None
  const resetUpTo = resetRate
  const hangUpTo = resetUpTo + hangRate
  const errorUpTo = hangUpTo + errorRate
  return () => {
    const u = random()
    if (u < resetUpTo) return Fault.Reset
    if (u < hangUpTo) return Fault.Hang
    if (u < errorUpTo) return Fault.Error
    return Fault.None
  }
}

/** Acts out a reset or a hang. Error answers differ by route, so the caller sends those itself. */
export function actOut(fault: Fault.Reset | Fault.Hang, reply: FastifyReply, exchange: TrackedRequest): void {
  if (fault === Fault.Reset) {
    reply.hijack()
    exchange.reset(reply.raw.socket)
  } else {
    exchange.hang()
  }
}
