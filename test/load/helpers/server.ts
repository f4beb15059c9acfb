// A real node:http loopback server on port 0 that counts the requests it receives.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface TestServer {
  url: string
  port: number
  /** Requests received (counted on arrival). */
  count(): number
  /** TCP connections open now. */
  openConnections(): number
  close(): Promise<void>
}

export async function startServer(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_q, res) => res.end('ok'),
  port = 0
): Promise<TestServer> {
  let received = 0
  let open = 0
  const server = http.createServer((req, res) => {
    received++
    handler(req, res)
  })
  server.on('connection', (socket) => {
    open++
    socket.once('close', () => open--)
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', done))
  const bound = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    count: () => received,
    openConnections: () => open,
    close: () => new Promise<void>((done) => {
      server.closeAllConnections()
      server.close(() => done())
    })
  }
}

/** A port nothing listens on: bound then released. */
export async function unusedPort(): Promise<number> {
  const s = http.createServer()
  await new Promise<void>((done) => s.listen(0, '127.0.0.1', done))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((done) => s.close(() => done()))
  return port
}
