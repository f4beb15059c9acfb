// A loopback server whose capacity the test knows: `slots` requests are served at once, each for
// `serviceMs`, the rest wait in arrival order. Its throughput limit is slots / service time, so a
// closed loop of N users without wait sees about N x service time / slots per request once N passes
// `slots`. Timers run a little late on a busy machine: the service time it really gave is measured.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'

export interface SlotsServer {
  url: string
  /** Requests answered so far (its /health apart). */
  answered(): number
  /** Mean time a request held its slot, ms (serviceMs and the timers' lateness). */
  serviceMs(): number
  close(): Promise<void>
}

export async function slotsServer(slots: number, serviceMs: number): Promise<SlotsServer> {
  let busy = 0
  let answered = 0
  let heldMs = 0
  const queue: (() => void)[] = []
  const next = () => {
    while (busy < slots && queue.length) {
      busy++
      const start = queue.shift()!
      start()
    }
  }
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume()
    // The health check a search makes of an external target first: answered at once, outside the slots.
    if (req.url === '/health') return void res.end('{"status":"ok"}')
    queue.push(() => {
      const t0 = performance.now()
      setTimeout(() => {
        busy--
        answered++
        heldMs += performance.now() - t0
        res.end('{"ok":true}')
        next()
      }, serviceMs)
    })
    next()
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}/`,
    answered: () => answered,
    serviceMs: () => (answered ? heldMs / answered : serviceMs),
    close: () => new Promise((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  }
}
