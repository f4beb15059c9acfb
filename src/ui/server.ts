// The live page's HTTP server (fastify): the page and its scripts, one LiveMessage a second over
// Server-Sent Events, and the controls and downloads of whatever backs it (a load, a bench, a status).
// Per-request work of the load never comes here: the backend publishes once per history window.
import Fastify, { type FastifyInstance } from 'fastify'
import type { ServerResponse } from 'node:http'
import { StartupError, isFloodgateError, messageOf } from '../errors.js'
import { loadAssets } from './assets.js'
import { guard } from './auth.js'
import type { LiveMessage } from './messages.js'
import type { UiOptions } from './options.js'
import { pageHtml } from './page.js'

export interface DownloadFile {
  filename: string
  contentType: string
  body: string
}

/** What a page shows and does; the controls a backend leaves out answer 404. */
export interface UiBackend {
  /** The state now; `full`: with every point of the current run (a page that just connected). */
  message(full: boolean): LiveMessage
  start?(form: Record<string, unknown>): Promise<string> | string
  stop?(): string
  edit?(values: Record<string, unknown>): string
  download?(name: string): DownloadFile | Promise<DownloadFile>
}

export interface UiServer {
  /** The page's address, with its token when one is needed. */
  url: string
  /** Sends the backend's message to every open page now (the backend calls this once a second while it runs). */
  publish(): void
  close(): Promise<void>
}

/** Idle pages (nothing running) still get a message a second: state, notices, the clock. */
const IDLE_MS = 1000

export async function startUiServer(options: UiOptions, backend: UiBackend): Promise<UiServer> {
  await loadAssets()
  const app = Fastify({ logger: false })
  const clients = new Set<ServerResponse>()
  let sentAt = 0
  let seq = 0
  app.addHook('onRequest', guard(options.token))
  app.setErrorHandler(async (err, _req, reply) => {
    const status = isFloodgateError(err) ? err.httpStatus : (err as { statusCode?: number }).statusCode ?? 500
    if (status >= 500) process.stderr.write(`--ui: ${messageOf(err)}\n`)
    await reply.code(status).send({ success: false, message: status >= 500 ? 'internal error (see the floodgate console)' : messageOf(err) })
  })
  routes(app, backend)

  const send = (full: boolean, to: Iterable<ServerResponse>) => {
    const text = `id: ${++seq}\ndata: ${JSON.stringify(backend.message(full))}\n\n`
    for (const res of to) res.write(text)
  }
  const publish = () => {
    sentAt = performance.now()
    send(false, clients)
  }
  app.get('/api/events', (req, reply) => {
    reply.hijack()
    const res = reply.raw
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' })
    res.write('retry: 2000\n\n')
    send(true, [res])
    clients.add(res)
    req.raw.on('close', () => clients.delete(res))
  })
  const idle = setInterval(() => {
    if (performance.now() - sentAt >= IDLE_MS - 50) publish()
  }, IDLE_MS)
  idle.unref()

  try {
    await app.listen({ host: options.host, port: options.port })
  } catch (err) {
    clearInterval(idle)
    const code = (err as NodeJS.ErrnoException).code
    throw new StartupError(`--ui cannot listen on ${options.host}:${options.port}: ${code === 'EADDRINUSE' ? 'the port is in use; pick another --ui-port (0: any free port)' : messageOf(err)}`,
      { flag: '--ui-port' }, { cause: err })
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : options.port
  const host = options.host.includes(':') ? `[${options.host}]` : options.host
  return {
    url: `http://${host}:${port}/${options.token ? `?token=${options.token}` : ''}`,
    publish,
    close: async () => {
      clearInterval(idle)
      for (const res of clients) res.end()
      clients.clear()
      await app.close()
    }
  }
}

function routes(app: FastifyInstance, backend: UiBackend): void {
  app.get('/', async (req, reply) => {
    const token = (req.query as Record<string, unknown>).token
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store')
      .send(pageHtml(backend.message(false).title, typeof token === 'string' ? token : null))
  })
  app.get('/assets/echarts.min.js', async (_req, reply) => reply.type('text/javascript').send((await loadAssets()).echarts))
  app.get('/assets/dashboard.js', async (_req, reply) => reply.type('text/javascript').send((await loadAssets()).script))
  app.get('/api/state', async () => backend.message(true))
  const control = (name: string, fn: ((body: Record<string, unknown>) => Promise<string> | string) | undefined) => {
    app.post(`/api/${name}`, async (req, reply) => {
      if (!fn) return reply.code(404).send({ success: false, message: `this page has no ${name}` })
      return { success: true, message: await fn((req.body ?? {}) as Record<string, unknown>) }
    })
  }
  control('start', backend.start?.bind(backend))
  control('stop', backend.stop ? () => backend.stop!() : undefined)
  control('edit', backend.edit?.bind(backend))
  app.get('/api/download/:name', async (req, reply) => {
    if (!backend.download) return reply.code(404).send({ success: false, message: 'nothing to download here' })
    const file = await backend.download((req.params as { name: string }).name)
    return reply.type(file.contentType).header('content-disposition', `attachment; filename="${file.filename}"`).send(file.body)
  })
}
