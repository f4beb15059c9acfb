// --workers N: N mock processes sharing one port, under the cluster primary of src/process/cluster.ts.
// Worker i seeds its streams with seed + i and enforces ceil(rateLimit / N). The primary serves nothing;
// it sums the workers' counters for /stats and stops them on close().
//
// Unlike serve's, the mock's primary hands connections to the workers round-robin: its per-worker
// shares (the rate limit, the seeded delay sequences) assume an even spread. Measured on this machine,
// 200 sequential new connections to two workers: 100 / 100 round-robin every time, 73 / 127 and 81 / 119
// with the workers accepting from the shared socket, so a client opening connections would be rate
// limited at about 4/5 of --rate-limit. Throughput did not differ beyond the noise (zero-delay GET /,
// 50 and 1,000 connections: 30-46 and 41-48 thousand requests/s either way). No heartbeat: the mock runs
// no user code, and has no timeout flag to size it by.
import { StartupError } from '../errors.js'
import { siblingUrl, startPrimary, urlOf, type Request } from '../process/index.js'
import { COLLECT, STATS, indexEnv, optionsEnv, rateLimitEnv, type StatsAction } from './messages.js'
import type { MockOptions } from './options.js'
import { sumStats, type MockStatsSnapshot } from './stats.js'
import type { MockServer } from './index.js'

const collectTimeoutMs = 5_000

export async function startCluster(o: MockOptions): Promise<MockServer> {
  const rateLimit = o.rateLimit > 0 ? Math.ceil(o.rateLimit / o.workers) : 0
  const primary = startPrimary({
    entry: siblingUrl('worker', import.meta.url),
    env: (index) => ({ [optionsEnv]: JSON.stringify(o), [indexEnv]: String(index), [rateLimitEnv]: String(rateLimit) }),
    workers: () => o.workers,
    accept: 'round-robin',
    heartbeatMs: 0,
    // close() drops waiting, streaming and hung requests at once: a worker has nothing to drain.
    graceMs: 0,
    onRequest: async (_worker, request: Request) => {
      if (request.type !== STATS) throw new Error(`unknown request ${request.type}`)
      return gather(request.action as StatsAction)
    },
    events: {
      exited: (index, _worker, { code, signal }) => process.stderr.write(`floodgate mock: worker ${index} exited (${signal ?? code}); starting another\n`),
      failedRestart: (_index, _worker, message) => process.stderr.write(`floodgate mock: ${message}\n`)
    }
  })

  /** Every ready worker's counters (cleared first for 'clear'), summed. */
  async function gather(action: StatsAction): Promise<MockStatsSnapshot> {
    const parts = await Promise.all(primary.readyWorkers().map((w) => primary.ask(w, { type: COLLECT, action }, collectTimeoutMs)))
    if (parts.some((p) => p === undefined)) throw new StartupError(`mock workers did not report their counters within ${collectTimeoutMs} ms`)
    return sumStats(parts as MockStatsSnapshot[])
  }

  const close = async (): Promise<void> => {
    primary.shutdown()
    await primary.closed
  }

  // Every worker asks for the same address as given (port 0 included): the primary keys its listening
  // handles by the requested address, so they all share the first one's socket and port.
  await primary.started
  return {
    url: urlOf(o.host, primary.port),
    port: primary.port,
    close,
    stats: () => gather('get'),
    resetStats: async () => {
      await gather('clear')
    }
  }
}
