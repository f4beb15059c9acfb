// Entry of a mock worker process (--workers N, forked by cluster.ts). It serves like a single mock, seeded
// with seed + its index, and asks the primary for the summed counters when /stats is requested.
import { answerPrimary, askPrimary, drainOnStop, failStartup, reportReady, type Request } from '../process/index.js'
import { COLLECT, STATS, indexEnv, optionsEnv, rateLimitEnv, type StatsAction } from './messages.js'
import type { MockOptions } from './options.js'
import { listenMock, type ProcessServer } from './server.js'
import type { MockStatsSnapshot } from './stats.js'

const options = JSON.parse(process.env[optionsEnv] ?? '{}') as MockOptions
const index = Number(process.env[indexEnv] ?? 0)
const rateLimit = Number(process.env[rateLimitEnv] ?? 0)
/** Beyond the primary's own wait for every worker's counters. */
const statsWaitMs = 9_000

async function ask(action: StatsAction): Promise<MockStatsSnapshot> {
  const reply = await askPrimary({ type: STATS, action }, statsWaitMs)
  if (reply === undefined) throw new Error(`the mock's primary did not answer within ${statsWaitMs / 1000} s`)
  if (reply.value === undefined) throw new Error(reply.error ?? 'no stats from the primary')
  return reply.value as MockStatsSnapshot
}

let server: ProcessServer | undefined

answerPrimary(COLLECT, (request: Request) => {
  if (request.action === 'clear') server?.stats.clear()
  return server?.stats.snapshot()
})
// Asked to stop, or the primary is gone: close (dropping waiting requests at once) and exit.
drainOnStop(() => {
  void (server ? server.app.close() : Promise.resolve()).finally(() => process.exit(0))
})

try {
  server = await listenMock(options, index, rateLimit, {
    get: () => ask('get'),
    clear: async () => {
      await ask('clear')
    }
  })
  reportReady({ port: server.port })
} catch (err) {
  failStartup(err)
}
