// The closed loop's fast path: one keep-alive connection on node:net that writes a prebuilt request
// in one write and reads the answer with response-reader.ts, calling the handler methods undici calls
// (MeasuredRequest's onData, onComplete, onError; onHead for the headers, already read). undici's
// per-request path (a Request object, validation and a header string per dispatch, a setImmediate
// before each write, a JS callback and a Buffer per response header) was most of the generator's CPU
// per request against a fast server. Errors are undici's own classes, so failures are classified and
// worded the same on both paths. One request at a time: a closed-loop user never has two in flight.
import net from 'node:net'
import { errors } from 'undici'
import { ParseError, ResponseReader, type ResponseHead } from './response-reader.js'
import type { MeasuredRequest } from './measured-request.js'
import type { RawTarget } from './raw-request.js'

/** undici's defaults: an idle connection is reused for 4 s, or for the server's keep-alive hint less 2 s. */
const KEEP_ALIVE_DEFAULT_MS = 4_000
const KEEP_ALIVE_THRESHOLD_MS = 2_000

export class RawClient {
  private socket: net.Socket | null = null
  private reader: ResponseReader | null = null
  private connected = false
  /** The request in flight (at most one). */
  private ex: MeasuredRequest | null = null
  private headersSeen = false
  /** The connection may carry the next request (keep-alive, not closing, not idle past its keep-alive). */
  private reusable = false
  private keepAliveMs = KEEP_ALIVE_DEFAULT_MS
  private idleSince = 0
  /** The socket's error, reported when it closes with a request in flight. */
  private socketError: Error | null = null
  private closing = false
  private destroyed = false
  private whenClosed: (() => void) | null = null

  constructor(private readonly target: RawTarget, private readonly timeoutMs: number, private readonly connectTimeoutMs: number) {}

  /** Sends the request; the answer (or the error) goes to ex's handler methods, never synchronously. */
  dispatch(ex: MeasuredRequest): void {
    if (this.destroyed || this.closing) {
      const err = new errors.ClientDestroyedError()
      queueMicrotask(() => ex.onError(err))
      return
    }
    this.ex = ex
    this.headersSeen = false
    if (this.socket && (!this.reusable || performance.now() - this.idleSince > this.keepAliveMs)) this.drop()
    if (!this.socket) this.connect()
    this.socket!.write(this.target.request)
  }

  /** Closes once the request in flight (if any) is answered. */
  close(): Promise<void> {
    this.closing = true
    if (!this.ex) {
      this.drop()
      return Promise.resolve()
    }
    return new Promise((done) => { this.whenClosed = done })
  }

  /** Closes now; a request in flight ends with undici's ClientDestroyedError. */
  destroy(): Promise<void> {
    this.destroyed = true
    this.drop()
    this.fail(new errors.ClientDestroyedError())
    return Promise.resolve()
  }

  private connect(): void {
    const socket = net.connect({ host: this.target.host, port: this.target.port, noDelay: true })
    // Each event checks that its socket is still the current one: a dropped connection's late bytes
    // (or the rest of a chunk read when the handler had already moved to a new one) are ignored.
    const reader = new ResponseReader({
      onHead: (head) => { if (this.socket === socket) this.onHead(head) },
      onBody: (chunk) => { if (this.socket === socket) this.ex?.onData(chunk) },
      onEnd: () => { if (this.socket === socket) this.onComplete() }
    })
    this.socket = socket
    this.reader = reader
    this.connected = false
    this.reusable = true
    this.socketError = null
    socket.setTimeout(this.connectTimeoutMs)
    socket.on('connect', () => {
      this.connected = true
      socket.setTimeout(this.timeoutMs)
    })
    socket.on('data', (chunk: Buffer) => {
      if (this.socket !== socket) return
      try {
        reader.execute(chunk)
      } catch (err) {
        if (!(err instanceof ParseError)) throw err
        if (this.socket === socket) this.protocolError(parseError(err))
      }
    })
    socket.on('end', () => {
      // A body read to the end of the connection (no length, not chunked) ends here.
      if (this.socket === socket && this.ex) reader.finish()
    })
    socket.on('timeout', () => {
      if (this.socket !== socket || !this.ex) return
      const err = !this.connected ? new errors.ConnectTimeoutError()
        : this.headersSeen ? new errors.BodyTimeoutError() : new errors.HeadersTimeoutError()
      this.drop()
      this.fail(err)
    })
    socket.on('error', (err) => {
      if (this.socket === socket) this.socketError = err
    })
    socket.on('close', () => {
      if (this.socket !== socket) return
      this.socket = null
      this.reader = null
      this.fail(this.socketError ?? new errors.SocketError('other side closed'))
    })
  }

  private onHead(head: ResponseHead): void {
    const ex = this.ex
    // An answer nobody asked for: the connection is out of step.
    if (!ex) throw new ParseError('Response without a request', 'HPE_INVALID_CONSTANT')
    // 100 without an Expect and 101 without an Upgrade are the server's mistake (undici: "bad response").
    if (head.status < 200) {
      this.protocolError(new errors.SocketError('bad response'))
      return
    }
    this.headersSeen = true
    this.reusable = head.keepAlive && !this.closing
    if (this.reusable) this.keepAliveMs = head.keepAliveSec < 0 ? KEEP_ALIVE_DEFAULT_MS : head.keepAliveSec * 1000 - KEEP_ALIVE_THRESHOLD_MS
    ex.onHead(head.status, head.contentType)
  }

  private onComplete(): void {
    const ex = this.ex
    if (!ex) return
    this.ex = null
    this.idleSince = performance.now()
    if (this.reusable) this.reader!.reset()
    else this.drop()
    // The handler may send the next request from here, on this connection or a new one.
    ex.onComplete()
    if (this.closing) this.finishClose()
  }

  /** A response the parser cannot read, or one nobody asked for: the connection is not trusted again. */
  private protocolError(err: Error): void {
    this.drop()
    this.fail(err)
  }

  private fail(err: Error): void {
    const ex = this.ex
    if (!ex) return
    this.ex = null
    ex.onError(err)
    if (this.closing) this.finishClose()
  }

  private finishClose(): void {
    this.drop()
    const done = this.whenClosed
    this.whenClosed = null
    done?.()
  }

  /** Forgets the connection; its late events are ignored (each handler checks its socket is current). */
  private drop(): void {
    const socket = this.socket
    if (!socket) return
    this.socket = null
    this.reader = null
    this.reusable = false
    socket.destroy()
  }
}

/** undici's class and wording for a response it cannot parse. */
function parseError(err: ParseError): Error {
  const e = new errors.HTTPParserError(`Response does not match the HTTP/1.1 protocol (${err.message})`)
  e.code = err.code
  return e
}
