// Entry of a mock worker process (--workers N, forked by cluster.ts). It serves like a single mock, seeded
// with seed + its index, and asks the primary for the summed counters when /stats is requested.
import { isMessage, optionsEnv, indexEnv, rateLimitEnv, type PrimaryMessage, type StatsAction, type WorkerMessage } from './messages.js'
import type { MockOptions } from './options.js'
import { listenMock, type ProcessServer } from './server.js'
import type { MockStatsSnapshot } from './stats.js'

const options = JSON.parse(process.env[optionsEnv] ?? '{}') as MockOptions
const index = Number(process.env[indexEnv] ?? 0)
const rateLimit = Number(process.env[rateLimitEnv] ?? 0)

function send(message: WorkerMessage): void {
  process.send?.(message)
}

const waiting = new Map<number, { resolve: (s: MockStatsSnapshot) => void; reject: (e: Error) => void }>()
let nextId = 0

function ask(action: StatsAction): Promise<MockStatsSnapshot> {
  const id = nextId++
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject })
    send({ fg: 'stats-request', id, action })
  })
}

let server: ProcessServer | undefined

process.on('message', (m: unknown) => {
  if (!isMessage<PrimaryMessage>(m)) return
  if (m.fg === 'collect') {
    if (m.action === 'clear') server?.stats.clear()
    if (server) send({ fg: 'snapshot', id: m.id, stats: server.stats.snapshot() })
  } else if (m.fg === 'stats-reply') {
    const w = waiting.get(m.id)
    waiting.delete(m.id)
    if (m.stats) w?.resolve(m.stats)
    else w?.reject(new Error(m.error ?? 'no stats from the primary'))
  } else if (m.fg === 'close') {
    void (server ? server.app.close() : Promise.resolve()).finally(() => process.exit(0))
  }
})
// The primary stops us (Ctrl-C reaches the whole process group; the primary decides), and if it dies,
// the IPC channel closes and we go too.
process.on('SIGINT', () => undefined)
process.on('disconnect', () => process.exit(0))

try {
  server = await listenMock(options, index, rateLimit, {
    get: () => ask('get'),
    clear: async () => {
      await ask('clear')
    }
  })
  send({ fg: 'ready', port: server.port })
} catch (err) {
  const failed: WorkerMessage = { fg: 'failed', message: (err as Error).message }
  process.send?.(failed, () => process.exit(1))
}
