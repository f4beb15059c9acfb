// Listening and closing for one mock process, with the listen errors a user can act on.
import type { FastifyInstance } from 'fastify'
import { StartupError } from '../errors.js'
import { buildMockApp, type StatsSource } from './app.js'
import type { MockOptions } from './options.js'
import { MockStats } from './stats.js'

export interface ProcessServer {
  app: FastifyInstance
  stats: MockStats
  port: number
}

/** Builds and starts one process's server. `statsSource` defaults to this process's own counters. */
export async function listenMock(o: MockOptions, workerIndex: number, rateLimit: number, statsSource?: StatsSource): Promise<ProcessServer> {
  const stats = new MockStats()
  const source: StatsSource = statsSource ?? {
    get: async () => stats.snapshot(),
    clear: async () => stats.clear()
  }
  const app = buildMockApp(o, { workerIndex, rateLimit, stats, statsSource: source })
  try {
    await app.listen({ host: o.host, port: o.port })
  } catch (err) {
    await app.close().catch(() => undefined)
    throw listenError(err, o)
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : o.port
  return { app, stats, port }
}

export function listenError(err: unknown, o: Pick<MockOptions, 'host' | 'port'>): StartupError {
  const code = (err as { code?: string }).code
  if (code === 'EADDRINUSE') {
    return new StartupError(`port ${o.port} on ${o.host} is already in use (--port); stop what holds it or pick another port`, { flag: '--port' })
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new StartupError(`cannot listen on host "${o.host}" (--host): ${code}`, { flag: '--host' })
  }
  if (code === 'EACCES') {
    return new StartupError(`no permission to listen on port ${o.port} (--port); use a port above 1023`, { flag: '--port' })
  }
  return new StartupError(`cannot listen on ${o.host}:${o.port}: ${(err as Error).message ?? String(err)}`, {}, { cause: err })
}
