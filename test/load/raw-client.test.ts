// The closed loop's fast path (raw-client.ts) against loopback servers that write exact bytes: each way
// a response can end, each way a connection can fail, and the bytes it sends against undici's.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { Client } from 'undici'
import { RawClient } from '../../src/load/raw-client.js'
import { rawTarget, type RawTarget } from '../../src/load/raw-request.js'
import { MeasuredRequest } from '../../src/load/measured-request.js'
import { resolveOptions, type LoadOptions } from '../../src/load/options.js'
import { transportFailure } from '../../src/load/failure.js'
import { runLoad } from '../../src/load/index.js'
import { unusedPort } from './helpers/server.js'

interface RawServer {
  port: number
  /** Requests received (each request head ends in an empty line; GET requests have no body). */
  requests(): number
  connections(): number
  /** Connections open now. */
  open(): number
  close(): Promise<void>
}

/** A TCP server that calls `answer` for each request head it reads, with the request's number (1, 2...). */
async function rawServer(answer: (socket: net.Socket, n: number) => void): Promise<RawServer> {
  let requests = 0
  let connections = 0
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    connections++
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    let buffered = ''
    socket.on('data', (d: Buffer) => {
      buffered += d.toString('latin1')
      let end: number
      while ((end = buffered.indexOf('\r\n\r\n')) >= 0) {
        buffered = buffered.slice(end + 4)
        answer(socket, ++requests)
      }
    })
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  return {
    port: (server.address() as AddressInfo).port,
    requests: () => requests,
    connections: () => connections,
    open: () => sockets.size,
    close: () => new Promise<void>((done) => {
      for (const s of sockets) s.destroy()
      server.close(() => done())
    })
  }
}

function target(port: number, options: Partial<LoadOptions> = {}): RawTarget {
  const t = rawTarget(resolveOptions({ url: `http://127.0.0.1:${port}/path?q=1`, ...options }))
  assert.ok(t, 'a plain request goes on the fast path')
  return t
}

interface Outcome {
  status: number
  bytes: number
  body: string
  error: (Error & { code?: string }) | null
  ms: number
}

/** One request through the client: what the handler saw. */
function send(client: RawClient): Promise<Outcome> {
  const t0 = performance.now()
  return new Promise((done) => {
    const ex: MeasuredRequest = new MeasuredRequest((x, error) => {
      done({ status: x.status, bytes: x.bytes, body: Buffer.concat(x.chunks ?? []).toString(), error, ms: performance.now() - t0 })
    }, true)
    ex.reset(t0)
    client.dispatch(ex)
  })
}

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello'

test('content-length: a response split over writes is read whole; one connection carries every request', async (t) => {
  const server = await rawServer((s) => {
    s.write('HTTP/1.1 200 OK\r\nConte')
    setTimeout(() => s.write('nt-Length: 11\r\n\r\nhello'), 5)
    setTimeout(() => s.write(' world'), 10)
  })
  t.after(() => server.close())
  const client = new RawClient(target(server.port), 5_000, 5_000)
  for (let i = 0; i < 3; i++) {
    const r = await send(client)
    assert.deepEqual([r.status, r.bytes, r.body, r.error], [200, 11, 'hello world', null])
  }
  assert.equal(server.requests(), 3)
  assert.equal(server.connections(), 1)
  await client.destroy()
})

test('chunked: chunks and trailers are decoded, only body bytes counted, the connection kept', async (t) => {
  const server = await rawServer((s) => {
    s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n')
    setTimeout(() => s.write('6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n'), 5)
  })
  t.after(() => server.close())
  const client = new RawClient(target(server.port), 5_000, 5_000)
  for (let i = 0; i < 2; i++) {
    const r = await send(client)
    assert.deepEqual([r.status, r.bytes, r.body, r.error], [200, 11, 'hello world', null])
  }
  assert.equal(server.connections(), 1)
  await client.destroy()
})

test('connection: close from the server: each answer read, the next request on a new connection', async (t) => {
  const server = await rawServer((s) => s.end('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok'))
  t.after(() => server.close())
  const client = new RawClient(target(server.port), 5_000, 5_000)
  for (let i = 0; i < 3; i++) {
    const r = await send(client)
    assert.deepEqual([r.status, r.bytes, r.error], [200, 2, null])
  }
  assert.equal(server.requests(), 3)
  assert.equal(server.connections(), 3)
  await client.destroy()
  // A server that says close but leaves the connection open: the client closes it after the answer.
  const lingering = await rawServer((s) => s.write('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok'))
  t.after(() => lingering.close())
  const other = new RawClient(target(lingering.port), 5_000, 5_000)
  assert.equal((await send(other)).error, null)
  await new Promise((done) => setTimeout(done, 50))
  assert.equal(lingering.open(), 0)
  await other.destroy()
})

test('a body with no length is read to the end of the connection', async (t) => {
  const server = await rawServer((s) => {
    s.write('HTTP/1.1 200 OK\r\n\r\nfirst part, ')
    setTimeout(() => s.end('last part'), 5)
  })
  t.after(() => server.close())
  const client = new RawClient(target(server.port), 5_000, 5_000)
  const r = await send(client)
  assert.deepEqual([r.status, r.body, r.error], [200, 'first part, last part', null])
  const again = await send(client)
  assert.deepEqual([again.status, again.error], [200, null])
  assert.equal(server.connections(), 2)
  await client.destroy()
})

test('non-2xx: status and body are handed over like any answer, the connection kept', async (t) => {
  const server = await rawServer((s) => s.write('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy'))
  t.after(() => server.close())
  const client = new RawClient(target(server.port), 5_000, 5_000)
  for (let i = 0; i < 2; i++) {
    const r = await send(client)
    assert.deepEqual([r.status, r.body, r.error], [503, 'busy', null])
  }
  assert.equal(server.connections(), 1)
  await client.destroy()
})

test('an informational 103 before the answer is skipped; a 100 nobody asked for is an error', async (t) => {
  const server = await rawServer((s, n) => {
    if (n === 1) s.write(`HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n${OK}`)
    else s.write(`HTTP/1.1 100 Continue\r\n\r\n${OK}`)
  })
  t.after(() => server.close())
  const client = new RawClient(target(server.port), 5_000, 5_000)
  const r = await send(client)
  assert.deepEqual([r.status, r.body, r.error], [200, 'hello', null])
  const bad = await send(client)
  assert.equal(bad.error?.code, 'UND_ERR_SOCKET')
  assert.equal(bad.error?.message, 'bad response')
  await client.destroy()
})

test('server resets: before the answer and in the middle of the body, ECONNRESET; the next request reconnects', async (t) => {
  const server = await rawServer((s, n) => {
    if (n === 1) s.resetAndDestroy()
    else if (n === 2) {
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial')
      setTimeout(() => s.resetAndDestroy(), 10)
    } else s.write(OK)
  })
  t.after(() => server.close())
  const client = new RawClient(target(server.port), 5_000, 5_000)
  const before = await send(client)
  assert.equal(before.error?.code, 'ECONNRESET')
  assert.deepEqual(transportFailure(before.error, 5), { kind: 'reset', error: "ConnectionResetError(104, 'Connection reset by peer')" })
  const middle = await send(client)
  assert.equal(middle.error?.code, 'ECONNRESET')
  assert.equal(middle.status, 200)
  assert.equal(middle.bytes, 7)
  const after = await send(client)
  assert.deepEqual([after.status, after.body, after.error], [200, 'hello', null])
  assert.equal(server.connections(), 3)
  await client.destroy()
})

test('a server that closes without answering: RemoteDisconnected; one that closes an idle connection: none', async (t) => {
  const server = await rawServer((s, n) => {
    if (n === 1) s.end()
    else {
      s.write(OK)
      setTimeout(() => s.end(), 5)
    }
  })
  t.after(() => server.close())
  const client = new RawClient(target(server.port), 5_000, 5_000)
  const closed = await send(client)
  assert.equal(closed.error?.code, 'UND_ERR_SOCKET')
  assert.equal(closed.error?.message, 'other side closed')
  assert.equal(transportFailure(closed.error, 5).kind, 'closed')
  const r = await send(client)
  assert.equal(r.error, null)
  await new Promise((done) => setTimeout(done, 50))
  const next = await send(client)
  assert.deepEqual([next.status, next.error], [200, null])
  assert.equal(server.connections(), 3)
  await client.destroy()
})

test('timeouts: no answer is a headers timeout, a stalled body a body timeout, each after the timeout', async (t) => {
  const server = await rawServer((s, n) => {
    if (n === 2) s.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf')
  })
  t.after(() => server.close())
  const client = new RawClient(target(server.port), 200, 5_000)
  const headers = await send(client)
  assert.equal(headers.error?.code, 'UND_ERR_HEADERS_TIMEOUT')
  assert.ok(headers.ms >= 195, `${headers.ms} ms`)
  const body = await send(client)
  assert.equal(body.error?.code, 'UND_ERR_BODY_TIMEOUT')
  assert.equal(body.bytes, 4)
  assert.ok(body.ms >= 195, `${body.ms} ms`)
  assert.deepEqual(transportFailure(body.error, 0.2), { kind: 'timeout', error: "ReadTimeout('Read timed out. (read timeout=0.2)')" })
  await client.destroy()
})

test('a response that is not HTTP: an HTTPParserError, and the connection is not used again', async (t) => {
  const server = await rawServer((s, n) => s.write(n === 1 ? 'SSH-2.0-OpenSSH\r\n\r\n' : OK))
  t.after(() => server.close())
  const client = new RawClient(target(server.port), 5_000, 5_000)
  const bad = await send(client)
  assert.equal(bad.error?.name, 'HTTPParserError')
  assert.equal(bad.error?.code, 'HPE_INVALID_CONSTANT')
  assert.equal(transportFailure(bad.error, 5).error, "HTTPParserError('Response does not match the HTTP/1.1 protocol (Invalid status line)')")
  const good = await send(client)
  assert.deepEqual([good.status, good.error], [200, null])
  assert.equal(server.connections(), 2)
  await client.destroy()
})

test("keep-alive: a connection idle past the server's hint less 2 s is not reused", async (t) => {
  let hint = 'timeout=2'
  const answering = await rawServer((s) => s.write(`HTTP/1.1 200 OK\r\nKeep-Alive: ${hint}\r\nContent-Length: 2\r\n\r\nok`))
  t.after(() => answering.close())
  const client = new RawClient(target(answering.port), 5_000, 5_000)
  await send(client)
  await send(client)
  assert.equal(answering.connections(), 2, 'timeout=2 leaves 0 ms: never reused')
  hint = 'timeout=0'
  await send(client)
  await send(client)
  assert.equal(answering.connections(), 4, 'timeout=0: never reused')
  hint = 'timeout=60'
  await send(client)
  await send(client)
  assert.equal(answering.connections(), 5)
  await client.destroy()
})

test('refused: the connect error is the request\'s', async () => {
  const port = await unusedPort()
  const client = new RawClient(target(port), 5_000, 5_000)
  const r = await send(client)
  assert.equal(r.error?.code, 'ECONNREFUSED')
  await client.destroy()
})

test('close waits for the answer in flight; destroy ends it with ClientDestroyedError', async (t) => {
  const server = await rawServer((s, n) => {
    if (n === 1) setTimeout(() => s.write(OK), 50)
  })
  t.after(() => server.close())
  const client = new RawClient(target(server.port), 5_000, 5_000)
  let answered = false
  const answer = send(client).then((r) => {
    answered = true
    return r
  })
  await new Promise((done) => setTimeout(done, 10))
  await client.close()
  assert.equal(answered, true, 'close() resolved after the answer')
  assert.deepEqual([(await answer).status, (await answer).error], [200, null])
  const other = new RawClient(target(server.port), 5_000, 5_000)
  const pending = send(other)
  await new Promise((done) => setTimeout(done, 20))
  await other.destroy()
  assert.equal((await pending).error?.code, 'UND_ERR_DESTROYED')
})

/** The bytes one request puts on the wire. */
async function bytesOf(write: (port: number) => void): Promise<string> {
  return new Promise((done) => {
    const server = net.createServer((s) => {
      let text = ''
      s.on('data', (d: Buffer) => {
        text += d.toString('latin1')
        const end = text.indexOf('\r\n\r\n')
        const length = /content-length: (\d+)/.exec(text)
        if (end >= 0 && text.length >= end + 4 + (length ? Number(length[1]) : 0)) {
          const port = (server.address() as AddressInfo).port
          s.destroy()
          server.close()
          done(text.replace(`:${port}`, ':PORT'))
        }
      })
    })
    server.listen(0, '127.0.0.1', () => write((server.address() as AddressInfo).port))
  })
}

test("the fast path's request bytes are undici's for the same request", async () => {
  const cases: Partial<LoadOptions>[] = [
    {},
    { body: '{"question":"q"}', headers: { Authorization: 'Bearer x', 'X-Id': '7' } },
    { method: 'POST' },
    { method: 'DELETE', headers: { accept: 'text/event-stream' } }
  ]
  for (const options of cases) {
    const raw = await bytesOf((port) => {
      const s = net.connect(port, '127.0.0.1', () => s.write(target(port, options).request))
      s.on('error', () => {})
    })
    const viaUndici = await bytesOf((port) => {
      const plan = resolveOptions({ url: `http://127.0.0.1:${port}/path?q=1`, ...options })
      const client = new Client(plan.origin)
      client.dispatch({ path: plan.path, method: plan.method as 'GET', headers: plan.headers, ...(plan.body ? { body: plan.body } : {}) },
        { onConnect() {}, onHeaders: () => true, onData: () => true, onComplete() {}, onError() { void client.destroy() } })
    })
    assert.equal(raw, viaUndici, JSON.stringify(options))
  }
})

test('what only undici does stays on undici: TLS, sse and openai streams, HEAD, special or invalid headers', () => {
  const plain = { url: 'http://127.0.0.1:8080/' }
  assert.ok(rawTarget(resolveOptions(plain)))
  assert.ok(rawTarget(resolveOptions({ ...plain, stream: 'none' })))
  const undiciOnly: Partial<LoadOptions>[] = [
    { url: 'https://127.0.0.1:8443/' },
    { stream: 'sse' },
    { stream: 'openai' },
    { method: 'HEAD' },
    { headers: { Host: 'example.com' } },
    { headers: { connection: 'close' } },
    { headers: { Expect: '100-continue' } },
    { headers: { 'Content-Length': '3' } },
    { headers: { 'X-Bad': 'a\r\nInjected: 1' } },
    { headers: { 'X-Wide': 'caf\u00e9 \u2615' } },
    { headers: { 'bad name': 'x' } }
  ]
  for (const options of undiciOnly) assert.equal(rawTarget(resolveOptions({ ...plain, ...options })), null, JSON.stringify(options))
  assert.equal(rawTarget(resolveOptions({ url: 'http://127.0.0.1:8000/v1', openai: { baseUrl: 'http://127.0.0.1:8000/v1', model: 'm' } })), null)
})

test('a run on the fast path: every request counted once, chunked and sized answers alike', async (t) => {
  const server = await rawServer((s, n) => s.write(n % 2
    ? 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'
    : 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n'))
  t.after(() => server.close())
  const result = await runLoad({ url: `http://127.0.0.1:${server.port}/`, users: 10, spawnRate: 1000, runTime: 1 })
  assert.ok(result.aggregated.requests > 100, `${result.aggregated.requests}`)
  assert.equal(result.aggregated.requests, server.requests())
  assert.equal(result.aggregated.failures, 0)
  assert.equal(result.aggregated.avgContentBytes, 2)
  assert.equal(server.connections(), 10)
})

test('IPv6 loopback: the fast path connects to [::1] and sends the host header undici sends', async (t) => {
  let host = ''
  const server = http.createServer((req, res) => {
    host = req.headers.host ?? ''
    res.end('ok')
  })
  const listening = await new Promise<boolean>((done) => {
    server.once('error', () => done(false))
    server.listen(0, '::1', () => done(true))
  })
  if (!listening) return t.skip('no IPv6 loopback on this machine')
  t.after(() => new Promise<void>((done) => server.close(() => done())))
  const port = (server.address() as AddressInfo).port
  const raw = rawTarget(resolveOptions({ url: `http://[::1]:${port}/` }))
  assert.ok(raw)
  assert.equal(raw.host, '::1')
  const client = new RawClient(raw, 5_000, 5_000)
  const r = await send(client)
  await client.destroy()
  assert.deepEqual([r.status, r.body, r.error], [200, 'ok', null])
  assert.equal(host, `[::1]:${port}`)
})

test('a client closed or destroyed refuses a request with ClientDestroyedError, never from inside dispatch', async (t) => {
  const server = await rawServer((s) => s.write(OK))
  t.after(() => server.close())
  for (const end of ['close', 'destroy'] as const) {
    const client = new RawClient(target(server.port), 5_000, 5_000)
    assert.equal((await send(client)).status, 200)
    await client[end]()
    let returned = false
    const refused = new Promise<Error | null>((done) => {
      const ex = new MeasuredRequest((_x, error) => {
        assert.equal(returned, true, `${end}: the error came from inside dispatch()`)
        done(error)
      }, false)
      ex.reset(performance.now())
      client.dispatch(ex)
      returned = true
    })
    assert.equal(((await refused) as { code?: string } | null)?.code, 'UND_ERR_DESTROYED', end)
  }
  assert.equal(server.requests(), 2)
})

test('close() of an idle client closes its connection at once', async (t) => {
  const server = await rawServer((s) => s.write(OK))
  t.after(() => server.close())
  const client = new RawClient(target(server.port), 5_000, 5_000)
  await send(client)
  assert.equal(server.open(), 1)
  await client.close()
  const t0 = Date.now()
  while (server.open() > 0 && Date.now() - t0 < 2_000) await new Promise((done) => setTimeout(done, 10))
  assert.equal(server.open(), 0)
})

test('an answer nobody asked for: the connection is dropped, the next request goes on a new one', async (t) => {
  const server = await rawServer((s, n) => s.write(n === 1 ? OK + OK : OK))
  t.after(() => server.close())
  const client = new RawClient(target(server.port), 5_000, 5_000)
  const first = await send(client)
  assert.deepEqual([first.status, first.body, first.error], [200, 'hello', null])
  await new Promise((done) => setTimeout(done, 50))
  const second = await send(client)
  assert.deepEqual([second.status, second.body, second.error], [200, 'hello', null])
  assert.equal(server.connections(), 2)
  await client.destroy()
})

test('close() with a request in flight that then fails resolves once the failure is recorded', async (t) => {
  const server = await rawServer((s) => setTimeout(() => s.resetAndDestroy(), 50))
  t.after(() => server.close())
  const client = new RawClient(target(server.port), 5_000, 5_000)
  let failed = false
  const answer = send(client).then((r) => {
    failed = r.error !== null
    return r
  })
  await new Promise((done) => setTimeout(done, 10))
  await client.close()
  assert.equal(failed, true, 'close() resolved after the failure')
  assert.equal((await answer).error?.code, 'ECONNRESET')
})
