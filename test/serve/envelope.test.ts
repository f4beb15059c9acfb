// Every answer the server writes is in PromptFlow's error envelope, fastify's and Node's own refusals
// included (431, 408, a malformed request, an unknown method, a bad URL); and requests that arrive while
// the server drains are answered 503 in the envelope, logged and counted.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import pino from 'pino'
import { serveFixture } from './helpers.js'

/** Sends raw bytes on a connection of its own and reads until the server closes it (bounded). */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let answer = ''
    socket.setEncoding('utf8').on('data', (d: string) => (answer += d))
    socket.on('error', () => {})
    const timer = setTimeout(() => socket.destroy(), 5000)
    socket.on('close', () => {
      clearTimeout(timer)
      resolve(answer)
    })
    socket.write(text)
  })
}

function parse(answer: string): { status: number; body: unknown } {
  const [head, body] = answer.split('\r\n\r\n')
  return { status: Number(head.split(' ')[1]), body: JSON.parse(body) }
}

test("fastify's and Node's own refusals answer in the PromptFlow envelope", async (t) => {
  const server = await serveFixture('echo', { headerTimeoutSeconds: 1 })
  t.after(() => server.close())
  const envelope = (status: number, message: string, code: string) => ({ status, body: { error: { code: 'UserError', message, inner_error: { code } } } })
  const routes = 'this server answers POST /score, POST /feedback, GET /health, GET /version, GET /swagger.json, GET /metrics'
  const cases: Array<[string, string, ReturnType<typeof envelope>]> = [
    ['unknown method', 'FROB /score HTTP/1.1\r\nHost: x\r\n\r\n', envelope(400, `unknown HTTP method; ${routes}`, 'BAD_METHOD')],
    ['oversized headers', `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, envelope(431, 'request headers are larger than the server accepts (16 KiB in all)', 'HEADERS_TOO_LARGE')],
    ['malformed request', 'GET /health HTTP/1.1\r\nNo colon here\r\n\r\n', envelope(400, 'malformed HTTP request (Invalid header token)', 'BAD_REQUEST')],
    ['bad content-length', 'POST /score HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n', envelope(400, 'malformed HTTP request (Invalid character in Content-Length)', 'BAD_REQUEST')],
    ['headers too slow', 'GET /health HTTP/1.1\r\nHost: x\r\n', envelope(408, 'request headers did not arrive within 1 s (--header-timeout)', 'HEADER_TIMEOUT')],
    ['bad URL', 'GET /%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', envelope(400, "'/%zz' is not a valid url component", 'FST_ERR_BAD_URL')]
  ]
  for (const [name, text, expected] of cases) {
    const answer = await raw(server.port, text)
    assert.match(answer, /\r\ncontent-type: application\/json; charset=utf-8\r\n/i, `${name}: ${answer}`)
    assert.deepEqual(parse(answer), expected, name)
  }
})

test('requests arriving while the server drains: 503 in the envelope with Connection: close, logged and counted', async (t) => {
  const lines: Array<Record<string, unknown>> = []
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) })
  const server = await serveFixture('wait', { logger, graceSeconds: 5 })
  // One connection: a run in progress keeps it open through the drain, and a second request follows on it.
  const socket = connect(server.port, '127.0.0.1')
  let answers = ''
  socket.setEncoding('utf8').on('data', (d: string) => (answers += d))
  const ended = new Promise((resolve) => socket.on('close', resolve))
  t.after(() => socket.destroy())
  const post = (body: string) => `POST /score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`
  socket.write(post('{"ms": 1000}'))
  await sleep(200)
  const closed = server.close()
  await sleep(100)
  socket.write(post('{"ms": 1}'))
  // The server closes the connection after the 503 (bounded by the drain's grace period).
  await closed
  await ended
  const [first, second] = answers.split(/(?=HTTP\/1\.1 )/)
  assert.match(first, /^HTTP\/1\.1 200 /, 'the run in progress finished')
  assert.match(second, /^HTTP\/1\.1 503 /)
  assert.match(second, /\r\nconnection: close\r\n/i)
  assert.match(second, /\r\nretry-after: 1\r\n/i)
  assert.deepEqual(JSON.parse(second.split('\r\n\r\n')[1]), {
    error: { code: 'SystemError', message: 'the server is shutting down; retry (another instance or the restarted server will answer)', inner_error: { code: 'SHUTTING_DOWN' } }
  })
  const reqId = /\r\nx-request-id: (\S+)\r\n/i.exec(second)?.[1]
  const refusal = lines.find((l) => l.reqId === reqId)
  assert.ok(refusal, 'the 503 has its log line')
  assert.equal(refusal.status, 503)
  assert.ok(lines.some((l) => l.msg === 'drained: requests that arrived meanwhile were answered 503 (shutting down)' && l.refused === 1), JSON.stringify(lines))
})
