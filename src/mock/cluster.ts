// --workers N: N mock processes sharing one port through node:cluster (the primary accepts and hands
// connections round-robin). Worker i seeds its streams with seed + i and enforces ceil(rateLimit / N).
// The primary serves nothing; it sums the workers' counters for /stats and stops them on close().
import cluster, { type Worker } from 'node:cluster'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { StartupError } from '../errors.js'
import { isMessage, indexEnv, optionsEnv, rateLimitEnv, type PrimaryMessage, type StatsAction, type WorkerMessage } from './messages.js'
import type { MockOptions } from './options.js'
import { urlOf } from './server.js'
import { sumStats, type MockStatsSnapshot } from './stats.js'
import type { MockServer } from './index.js'

const collectTimeoutMs = 5_000
const stopTimeoutMs = 5_000

/** worker.js next to this file in dist/, worker.ts when running from source through tsx. */
function workerEntry(): string {
  const js = fileURLToPath(new URL('./worker.js', import.meta.url))
  return existsSync(js) ? js : fileURLToPath(new URL('./worker.ts', import.meta.url))
}

export async function startCluster(o: MockOptions): Promise<MockServer> {
  if (!cluster.isPrimary) {
    throw new StartupError('--workers above 1 needs a primary process; this one is itself a cluster worker', { flag: '--workers' })
  }
  const workers: Worker[] = []
  const rateLimit = o.rateLimit > 0 ? Math.ceil(o.rateLimit / o.workers) : 0
  let closing = false
  let port = o.port
  let nextId = 0
  const collecting = new Map<number, { parts: MockStatsSnapshot[]; done: () => void }>()

  function post(worker: Worker, message: PrimaryMessage): void {
    if (worker.isConnected()) worker.send(message)
  }

  async function gather(action: StatsAction): Promise<MockStatsSnapshot> {
    const id = nextId++
    const live = workers.filter((w) => w.isConnected())
    const parts: MockStatsSnapshot[] = []
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        collecting.delete(id)
        reject(new StartupError(`mock workers did not report their counters within ${collectTimeoutMs} ms`))
      }, collectTimeoutMs)
      collecting.set(id, {
        parts,
        done: () => {
          if (parts.length < live.length) return
          clearTimeout(timer)
          collecting.delete(id)
          resolve()
        }
      })
      for (const w of live) post(w, { fg: 'collect', id, action })
    })
    return sumStats(parts)
  }

  function onMessage(worker: Worker, m: unknown): void {
    if (!isMessage<WorkerMessage>(m)) return
    if (m.fg === 'snapshot') {
      const c = collecting.get(m.id)
      if (!c) return
      c.parts.push(m.stats)
      c.done()
    } else if (m.fg === 'stats-request') {
      gather(m.action).then(
        (stats) => post(worker, { fg: 'stats-reply', id: m.id, stats }),
        (err: Error) => post(worker, { fg: 'stats-reply', id: m.id, error: err.message })
      )
    }
  }

  function fork(index: number): Promise<Worker> {
    cluster.setupPrimary({ exec: workerEntry(), args: [] })
    const worker = cluster.fork({
      [optionsEnv]: JSON.stringify(o),
      [indexEnv]: String(index),
      [rateLimitEnv]: String(rateLimit)
    })
    workers[index] = worker
    worker.on('message', (m: unknown) => onMessage(worker, m))
    return new Promise((resolve, reject) => {
      const onStart = (m: unknown) => {
        if (!isMessage<WorkerMessage>(m)) return
        if (m.fg === 'ready') {
          worker.off('message', onStart)
          port = m.port
          worker.on('exit', (code, signal) => {
            if (closing) return
            process.stderr.write(`floodgate mock: worker ${index} exited (${signal ?? code}); starting another\n`)
            fork(index).catch((err: Error) => process.stderr.write(`floodgate mock: ${err.message}\n`))
          })
          resolve(worker)
        } else if (m.fg === 'failed') {
          reject(new StartupError(m.message))
        }
      }
      worker.on('message', onStart)
      worker.once('exit', (code) => reject(new StartupError(`mock worker ${index} exited with code ${code} before listening`)))
    })
  }

  async function close(): Promise<void> {
    if (closing) return
    closing = true
    await Promise.all(workers.map((w) => stop(w)))
  }

  try {
    // Every worker asks for the same address as given (port 0 included): the primary keys its listening
    // handles by the requested address, so they all share the first one's socket and port.
    await fork(0)
    await Promise.all(Array.from({ length: o.workers - 1 }, (_, i) => fork(i + 1)))
  } catch (err) {
    await close()
    throw err
  }

  return {
    url: urlOf(o.host, port),
    port,
    close,
    stats: () => gather('get'),
    resetStats: async () => {
      await gather('clear')
    }
  }
}

function stop(worker: Worker): Promise<void> {
  if (worker.isDead()) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => worker.process.kill('SIGKILL'), stopTimeoutMs)
    worker.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    if (worker.isConnected()) worker.send({ fg: 'close' } satisfies PrimaryMessage)
    else worker.process.kill('SIGTERM')
  })
}
