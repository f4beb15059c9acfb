// An HTTP/1.x response reader for the closed loop's fast path: status line and headers, then a body by
// Content-Length, chunked (chunk extensions and trailers skipped) or read to the end of the connection.
// It keeps only what the load generator reads: the status, the Content-Type, the body's bytes, whether
// the connection stays open and the server's keep-alive hint. A head split over socket chunks is
// gathered; a body is handed over as slices of the chunks it arrived in.

const CRLF_CRLF = Buffer.from('\r\n\r\n')
const MAX_HEAD_BYTES = 80 * 1024
const KEEP_ALIVE_TIMEOUT = /timeout=(\d+)/i
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?=[ \r]|$)/

export interface ResponseHead {
  status: number
  /** '' when absent. */
  contentType: string
  /** false for Connection: close, HTTP/1.0 without keep-alive, or a body read to the close. */
  keepAlive: boolean
  /** Seconds from `Keep-Alive: timeout=N`, or -1. */
  keepAliveSec: number
}

export interface ResponseEvents {
  onHead(head: ResponseHead): void
  onBody(chunk: Buffer): void
  onEnd(): void
}

/** Bytes that are not an HTTP/1.x response; code as llhttp names it. */
export class ParseError extends Error {
  constructor(message: string, readonly code: string) {
    super(message)
    this.name = 'ParseError'
  }
}

const enum State { Head, Sized, ChunkSize, ChunkData, ChunkEnd, Trailers, ToClose, Done }
const enum Body { Informational, None, Sized, Chunked, ToClose }

export class ResponseReader {
  private state = State.Head
  /** Head bytes, or a chunk-size or trailer line, not yet complete. */
  private pending: Buffer | null = null
  private remaining = 0
  private readonly head: ResponseHead = { status: 0, contentType: '', keepAlive: true, keepAliveSec: -1 }

  constructor(private readonly events: ResponseEvents) {}

  /** Reads one socket chunk; throws ParseError on bytes that are not an HTTP/1.x response. */
  execute(chunk: Buffer): void {
    let at = 0
    while (at < chunk.length) {
      switch (this.state) {
        case State.Head: at = this.readHead(chunk, at); break
        case State.Sized: at = this.readSized(chunk, at); break
        case State.ChunkData: at = this.readChunkData(chunk, at); break
        case State.ChunkSize:
        case State.ChunkEnd:
        case State.Trailers: at = this.readLine(chunk, at); break
        case State.ToClose:
          this.events.onBody(at === 0 ? chunk : chunk.subarray(at))
          at = chunk.length
          break
        case State.Done: throw new ParseError('Data after the response', 'HPE_INVALID_CONSTANT')
      }
    }
  }

  /** The connection ended: completes a body read to the close. False when a response was cut short. */
  finish(): boolean {
    if (this.state === State.ToClose) this.end()
    return this.state === State.Done || (this.state === State.Head && this.pending === null)
  }

  /** Ready for the next response on the same connection. */
  reset(): void {
    this.state = State.Head
    this.pending = null
  }

  private end(): void {
    this.state = State.Done
    this.events.onEnd()
  }

  private readHead(chunk: Buffer, at: number): number {
    const pending = this.pending
    // buf holds the head so far; chunk[at] sits at buf[base].
    const buf = pending ? Buffer.concat([pending, chunk.subarray(at)]) : chunk
    const base = pending ? pending.length : at
    const start = pending ? 0 : at
    // The empty line may straddle two chunks: search from 3 bytes before the new ones.
    const end = buf.indexOf(CRLF_CRLF, pending ? Math.max(0, base - 3) : at)
    if (end < 0) {
      if (buf.length - start > MAX_HEAD_BYTES) throw new ParseError('Header overflow', 'HPE_HEADER_OVERFLOW')
      this.pending = pending ? buf : Buffer.from(chunk.subarray(at))
      return chunk.length
    }
    this.pending = null
    const next = at + end + 4 - base
    const body = this.parseHead(buf.toString('latin1', start, end))
    if (body === Body.Informational) return next
    this.events.onHead(this.head)
    if (body === Body.None) this.end()
    return next
  }

  private parseHead(text: string): Body {
    const m = STATUS_LINE.exec(text)
    if (!m) throw new ParseError('Invalid status line', 'HPE_INVALID_CONSTANT')
    const head = this.head
    const status = Number(m[2])
    head.status = status
    head.contentType = ''
    head.keepAliveSec = -1
    let length = -1
    let chunked = false
    let connection = ''
    let lineStart = text.indexOf('\r\n')
    while (lineStart >= 0) {
      lineStart += 2
      const lineEnd = text.indexOf('\r\n', lineStart)
      const colon = text.indexOf(':', lineStart)
      if (colon < 0 || (lineEnd >= 0 && colon > lineEnd)) throw new ParseError('Invalid header', 'HPE_INVALID_HEADER_TOKEN')
      const nameLength = colon - lineStart
      // Only the names read here are compared (by length first): most lines cost two indexOf calls.
      if (nameLength === 10 || nameLength === 12 || nameLength === 14 || nameLength === 17) {
        const name = text.slice(lineStart, colon).toLowerCase()
        const value = text.slice(colon + 1, lineEnd < 0 ? text.length : lineEnd).trim()
        if (name === 'content-length') {
          const n = /^\d{1,15}$/.test(value) ? Number(value) : -1
          if (n < 0 || (length >= 0 && n !== length)) throw new ParseError('Invalid Content-Length', 'HPE_UNEXPECTED_CONTENT_LENGTH')
          length = n
        } else if (name === 'transfer-encoding') chunked = /(?:^|,)\s*chunked$/i.test(value)
        else if (name === 'connection') connection += `${value.toLowerCase()},`
        else if (name === 'keep-alive') {
          const k = KEEP_ALIVE_TIMEOUT.exec(value)
          if (k) head.keepAliveSec = Number(k[1])
        } else if (name === 'content-type') head.contentType = value
      }
      lineStart = lineEnd
    }
    // 102 and 103 come before the answer; a 100 or 101 nobody asked for is handed over, for the caller to refuse.
    if (status === 100 || status === 101) return Body.None
    if (status < 200) return Body.Informational
    head.keepAlive = m[1] === '1' ? !connection.includes('close') : connection.includes('keep-alive')
    if (status === 204 || status === 304) return Body.None
    if (chunked) {
      this.state = State.ChunkSize
      return Body.Chunked
    }
    if (length === 0) return Body.None
    if (length > 0) {
      this.state = State.Sized
      this.remaining = length
      return Body.Sized
    }
    this.state = State.ToClose
    head.keepAlive = false
    return Body.ToClose
  }

  private readSized(chunk: Buffer, at: number): number {
    const n = Math.min(this.remaining, chunk.length - at)
    this.events.onBody(at === 0 && n === chunk.length ? chunk : chunk.subarray(at, at + n))
    this.remaining -= n
    if (this.remaining === 0) this.end()
    return at + n
  }

  private readChunkData(chunk: Buffer, at: number): number {
    const n = Math.min(this.remaining, chunk.length - at)
    this.events.onBody(chunk.subarray(at, at + n))
    this.remaining -= n
    if (this.remaining === 0) this.state = State.ChunkEnd
    return at + n
  }

  /** One line of the chunked framing (a chunk size, the CRLF after a chunk, a trailer), gathered over chunks. */
  private readLine(chunk: Buffer, at: number): number {
    const nl = chunk.indexOf(10, at)
    if (nl < 0) {
      const rest = chunk.subarray(at)
      this.pending = this.pending ? Buffer.concat([this.pending, rest]) : Buffer.from(rest)
      if (this.pending.length > MAX_HEAD_BYTES) throw new ParseError('Line overflow', 'HPE_HEADER_OVERFLOW')
      return chunk.length
    }
    let line = chunk.toString('latin1', at, nl)
    if (this.pending) {
      line = this.pending.toString('latin1') + line
      this.pending = null
    }
    if (line.endsWith('\r')) line = line.slice(0, -1)
    this.takeLine(line)
    return nl + 1
  }

  private takeLine(line: string): void {
    if (this.state === State.ChunkEnd) {
      if (line.length !== 0) throw new ParseError('Expected CRLF after chunk data', 'HPE_INVALID_CHUNK_SIZE')
      this.state = State.ChunkSize
    } else if (this.state === State.Trailers) {
      if (line.length === 0) this.end()
    } else {
      const semi = line.indexOf(';')
      const hex = (semi < 0 ? line : line.slice(0, semi)).trim()
      if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) throw new ParseError('Invalid chunk size', 'HPE_INVALID_CHUNK_SIZE')
      this.remaining = parseInt(hex, 16)
      this.state = this.remaining === 0 ? State.Trailers : State.ChunkData
    }
  }
}
