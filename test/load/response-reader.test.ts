// The fast path's response reader on exact bytes: every response read whole, split at every byte and
// byte by byte gives the same head, body and end; http-parser-js (autocannon's parser) reads the same
// bytes as the reference for status and body; each malformed input is a ParseError with its code.
// test:concurrent
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { HTTPParser } from 'http-parser-js'
import { ParseError, ResponseReader, type ResponseHead } from '../../src/load/response-reader.js'

interface Read {
  heads: ResponseHead[]
  body: string
  ends: number
}

function reader(): { r: ResponseReader; read: Read } {
  const read: Read = { heads: [], body: '', ends: 0 }
  const r = new ResponseReader({
    onHead: (h) => read.heads.push({ ...h }),
    onBody: (c) => { read.body += c.toString('latin1') },
    onEnd: () => { read.ends++ }
  })
  return { r, read }
}

/** Feeds `text` in the given pieces; `close` then ends the connection. */
function readPieces(pieces: string[], close = false): Read {
  const { r, read } = reader()
  for (const p of pieces) r.execute(Buffer.from(p, 'latin1'))
  if (close) r.finish()
  return read
}

/** http-parser-js's status and body for the same bytes. */
function reference(text: string, close: boolean): { status: number; body: string; keepAlive: boolean } {
  const p = new HTTPParser(HTTPParser.RESPONSE)
  const out = { status: 0, body: '', keepAlive: false }
  p[HTTPParser.kOnHeadersComplete] = (info) => {
    if (info.statusCode >= 200) {
      out.status = info.statusCode
      out.keepAlive = info.shouldKeepAlive
    }
  }
  p[HTTPParser.kOnBody] = (c, o, l) => { out.body += c.toString('latin1', o, o + l) }
  p.execute(Buffer.from(text, 'latin1'))
  if (close) p.finish()
  return out
}

/** `ownReading`: http-parser-js reads these bytes otherwise (it takes only a Transfer-Encoding of exactly "chunked"). */
const CASES: { name: string; text: string; close?: boolean; head: Partial<ResponseHead>; body: string; ownReading?: boolean }[] = [
  { name: 'content-length', text: 'HTTP/1.1 200 OK\r\nContent-Length: 11\r\nContent-Type: text/plain\r\n\r\nhello world', head: { status: 200, contentType: 'text/plain', keepAlive: true }, body: 'hello world' },
  { name: 'node keep-alive', text: 'HTTP/1.1 200 OK\r\nDate: Wed, 02 Dec 2026 08:00:00 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 2\r\n\r\nok', head: { status: 200, keepAlive: true, keepAliveSec: 5 }, body: 'ok' },
  { name: 'chunked with extension and trailer', text: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=x\r\nhello\r\nA\r\n, world!!!\r\n0\r\nX-Checksum: 1\r\n\r\n', head: { status: 200, keepAlive: true }, body: 'hello, world!!!' },
  { name: 'chunked wins over content-length', text: 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n', head: { status: 200 }, body: 'ok' },
  { name: 'chunked as the last of several codings', text: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n', head: { status: 200, keepAlive: true }, body: 'ok', ownReading: true },
  { name: 'connection: close', text: 'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 4\r\n\r\nbusy', head: { status: 503, keepAlive: false }, body: 'busy' },
  { name: 'read to the close', text: 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: 1\n\ndata: 2\n\n', close: true, head: { status: 200, contentType: 'text/event-stream', keepAlive: false }, body: 'data: 1\n\ndata: 2\n\n' },
  { name: 'HTTP/1.0 keep-alive', text: 'HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\nx', head: { status: 200, keepAlive: true }, body: 'x' },
  { name: 'HTTP/1.0 without keep-alive', text: 'HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx', head: { status: 200, keepAlive: false }, body: 'x' },
  { name: '204 with no length', text: 'HTTP/1.1 204 No Content\r\n\r\n', head: { status: 204, keepAlive: true }, body: '' },
  { name: '103 before the answer', text: 'HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok', head: { status: 200 }, body: 'ok' },
  { name: 'no reason phrase, empty values', text: 'HTTP/1.1 404\r\nX-Empty:\r\nContent-Length: 0\r\n\r\n', head: { status: 404, keepAlive: true }, body: '' },
  { name: 'no reason phrase and no headers', text: 'HTTP/1.1 204\r\n\r\n', head: { status: 204, keepAlive: true }, body: '' },
  { name: 'keep-alive hint of two digits, with max', text: 'HTTP/1.1 200 OK\r\nKeep-Alive: timeout=15, max=100\r\nContent-Length: 2\r\n\r\nok', head: { status: 200, keepAliveSec: 15 }, body: 'ok' },
  { name: 'keep-alive without a timeout', text: 'HTTP/1.1 200 OK\r\nKeep-Alive: max=100\r\nContent-Length: 2\r\n\r\nok', head: { status: 200, keepAliveSec: -1 }, body: 'ok' },
  { name: 'other headers of the lengths read are not the content type', text: 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Trace-Id: abc\r\nX-Request-Id: 1\r\nX-Forwarded-For: x\r\nContent-Length: 2\r\n\r\nok', head: { status: 200, contentType: 'text/plain' }, body: 'ok' },
  { name: 'the same content-length twice', text: 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok', head: { status: 200 }, body: 'ok' },
  { name: '304 with no length', text: 'HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n', head: { status: 304, keepAlive: true }, body: '' },
  { name: 'chunked not the last coding: read to the close', text: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n2\r\nok\r\n0\r\n\r\n', close: true, head: { status: 200, keepAlive: false }, body: '2\r\nok\r\n0\r\n\r\n', ownReading: true },
  { name: 'chunk sizes with spaces, upper and lower case hex, and bare LF line ends', text: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2 ;x=y\r\nok\r\n1a\n' + 'z'.repeat(26) + '\n1A\r\n' + 'y'.repeat(26) + '\r\n0\r\n\r\n', head: { status: 200 }, body: `ok${'z'.repeat(26)}${'y'.repeat(26)}`, ownReading: true },
  { name: '100 nobody asked for: handed over', text: 'HTTP/1.1 100 Continue\r\n\r\n', head: { status: 100 }, body: '', ownReading: true },
  { name: '101 nobody asked for: handed over', text: 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n', head: { status: 101 }, body: '', ownReading: true }
]

test('each response read whole, split at every byte, and byte by byte: the same head, body and one end', () => {
  for (const c of CASES) {
    const close = c.close ?? false
    const whole = readPieces([c.text], close)
    assert.equal(whole.heads.length, 1, c.name)
    assert.deepEqual({ ...whole.heads[0], ...c.head }, whole.heads[0], c.name)
    assert.equal(whole.body, c.body, c.name)
    assert.equal(whole.ends, 1, c.name)
    for (let i = 1; i < c.text.length; i++) {
      assert.deepEqual(readPieces([c.text.slice(0, i), c.text.slice(i)], close), whole, `${c.name}, split at ${i}`)
    }
    assert.deepEqual(readPieces([...c.text], close), whole, `${c.name}, byte by byte`)
    if (c.ownReading) continue
    const ref = reference(c.text, close)
    assert.deepEqual([ref.status, ref.body, ref.keepAlive], [whole.heads[0]!.status, whole.body, whole.heads[0]!.keepAlive], `${c.name}: http-parser-js`)
  }
})

test('keep-alive: responses one after another on a reset reader', () => {
  const { r, read } = reader()
  const one = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'
  r.execute(Buffer.from(one))
  r.reset()
  r.execute(Buffer.from(one.slice(0, 20)))
  r.execute(Buffer.from(one.slice(20)))
  assert.deepEqual([read.heads.length, read.body, read.ends], [2, 'okok', 2])
})

test('the next response in the same chunk is read after the reader is reset from onEnd (as raw-client.ts does)', () => {
  const read: Read = { heads: [], body: '', ends: 0 }
  const r: ResponseReader = new ResponseReader({
    onHead: (h) => read.heads.push({ ...h }),
    onBody: (c) => { read.body += c.toString('latin1') },
    onEnd: () => {
      read.ends++
      r.reset()
    }
  })
  r.execute(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none' + 'HTTP/1.1 201 Created\r\nContent-Length: 3\r\n\r\ntwo'))
  assert.deepEqual([read.heads.map((h) => h.status), read.body, read.ends], [[200, 201], 'onetwo', 2])
})

test('a reader reused for the next response forgets the last one\'s content type and keep-alive hint', () => {
  const { r, read } = reader()
  r.execute(Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nKeep-Alive: timeout=5\r\nContent-Length: 2\r\n\r\nok'))
  r.reset()
  r.execute(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'))
  assert.deepEqual(read.heads.map((h) => [h.contentType, h.keepAliveSec]), [['text/plain', 5], ['', -1]])
})

test('a connection that ends mid-response is cut short; one between responses is not', () => {
  const mid = reader()
  mid.r.execute(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf'))
  assert.equal(mid.r.finish(), false)
  assert.equal(mid.read.ends, 0)
  const head = reader()
  head.r.execute(Buffer.from('HTTP/1.1 200 OK\r\nCont'))
  assert.equal(head.r.finish(), false)
  const idle = reader()
  assert.equal(idle.r.finish(), true)
  const answered = reader()
  answered.r.execute(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'))
  assert.equal(answered.r.finish(), true, 'the close after a whole response')
})

test('malformed responses: a ParseError with the code llhttp gives', () => {
  const chunked = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'
  const bad: [string, string, string][] = [
    ['SSH-2.0-OpenSSH_9.2\r\n\r\n', 'HPE_INVALID_CONSTANT', 'Invalid status line'],
    ['HTTP/2 200\r\n\r\n', 'HPE_INVALID_CONSTANT', 'Invalid status line'],
    ['HTTP/1.1 20 OK\r\n\r\n', 'HPE_INVALID_CONSTANT', 'Invalid status line'],
    ['xHTTP/1.1 200 OK\r\n\r\n', 'HPE_INVALID_CONSTANT', 'Invalid status line'],
    ['\r\n\r\nHTTP/1.1 200 OK\r\n\r\n', 'HPE_INVALID_CONSTANT', 'Invalid status line'],
    ['HTTP/1.1 200 OK\r\nno colon here\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN', 'Invalid header'],
    ['HTTP/1.1 200 OK\r\nno colon here\r\nContent-Length: 0\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN', 'Invalid header'],
    ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok', 'HPE_UNEXPECTED_CONTENT_LENGTH', 'Invalid Content-Length'],
    ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\nContent-Length: 5\r\n\r\n', 'HPE_UNEXPECTED_CONTENT_LENGTH', 'Invalid Content-Length'],
    ['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', 'HPE_UNEXPECTED_CONTENT_LENGTH', 'Invalid Content-Length'],
    ['HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n', 'HPE_UNEXPECTED_CONTENT_LENGTH', 'Invalid Content-Length'],
    ['HTTP/1.1 200 OK\r\nContent-Length: x1\r\n\r\n', 'HPE_UNEXPECTED_CONTENT_LENGTH', 'Invalid Content-Length'],
    [`${chunked}zz\r\n`, 'HPE_INVALID_CHUNK_SIZE', 'Invalid chunk size'],
    [`${chunked}g2\r\n`, 'HPE_INVALID_CHUNK_SIZE', 'Invalid chunk size'],
    [`${chunked}2g\r\n`, 'HPE_INVALID_CHUNK_SIZE', 'Invalid chunk size'],
    [`${chunked}${'1'.repeat(13)}\r\n`, 'HPE_INVALID_CHUNK_SIZE', 'Invalid chunk size'],
    [`${chunked}2\r\nokX\r\n`, 'HPE_INVALID_CHUNK_SIZE', 'Expected CRLF after chunk data'],
    [`${chunked}5;${'e'.repeat(81 * 1024)}`, 'HPE_HEADER_OVERFLOW', 'Line overflow'],
    ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA', 'HPE_INVALID_CONSTANT', 'Data after the response'],
    [`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(81 * 1024)}`, 'HPE_HEADER_OVERFLOW', 'Header overflow']
  ]
  for (const [text, code, message] of bad) {
    const { r } = reader()
    assert.throws(() => r.execute(Buffer.from(text, 'latin1')),
      (err: unknown) => err instanceof ParseError && err.name === 'ParseError' && err.code === code && err.message === message, JSON.stringify(text.slice(0, 60)))
  }
})

test('heads and framing lines of up to 80 KiB wait for more bytes; one byte more is an overflow', () => {
  const limit = 80 * 1024
  const head = 'HTTP/1.1 200 OK\r\nX-Big: '
  const full = reader()
  full.r.execute(Buffer.from(head + 'a'.repeat(limit - head.length), 'latin1'))
  assert.throws(() => full.r.execute(Buffer.from('a')), (err: unknown) => err instanceof ParseError && err.message === 'Header overflow')
  const line = reader()
  line.r.execute(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;', 'latin1'))
  line.r.execute(Buffer.from('e'.repeat(limit - 2)))
  assert.throws(() => line.r.execute(Buffer.from('e')), (err: unknown) => err instanceof ParseError && err.message === 'Line overflow')
  // A head that starts after a whole response in the same chunk: only its own bytes count.
  const read: Read = { heads: [], body: '', ends: 0 }
  const r: ResponseReader = new ResponseReader({ onHead: (h) => read.heads.push({ ...h }), onBody: () => {}, onEnd: () => r.reset() })
  const first = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'
  r.execute(Buffer.from(first + head + 'a'.repeat(limit - head.length - 10), 'latin1'))
  r.execute(Buffer.from('\r\nContent-Length: 0\r\n\r\n'))
  assert.equal(read.heads.length, 2)
})
