// Bounds what clients that send nothing can hold: a connection costs a file descriptor, and once the
// process runs out of them every new connection is reset, a normal request's too. Each worker holds at
// most `maxConnections`. A connection beyond the cap takes the place of the one that has waited longest
// for a request (a slow-header client, an idle keep-alive connection), if that one has waited at least
// EVICT_AFTER_MS; otherwise it is refused at once with 503 + Retry-After in the PromptFlow envelope.
// A connection whose request is in progress is never cut. (Node's own headersTimeout bounds how long a
// client may take to send its headers, keepAliveTimeout how long an idle connection stays open.)
import { readFileSync } from 'node:fs'
import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import type { Logger } from 'pino'
import { envelope, rawErrorResponse } from './errors.js'

/** A connection waiting for a request at least this long may be closed to make room for a new one. */
const EVICT_AFTER_MS = 1000
/** A refused connection is kept this long for its 503 to be read before it is destroyed. */
const LINGER_MS = 1000
/** At most one log line per this period about refused and evicted connections. */
const LOG_EVERY_MS = 10_000

const kBusy = Symbol('floodgate.requestsInProgress')
const kSince = Symbol('floodgate.waitingSince')

interface Tracked extends Socket {
  [kBusy]: number
  [kSince]: number
}

export interface ConnectionStats {
  open: number
  refused: number
  evicted: number
}

export class ConnectionGuard implements ConnectionStats {
  open = 0
  refused = 0
  evicted = 0
  // Connections with no request in progress, longest waiting first (a Set keeps insertion order).
  private readonly waiting = new Set<Tracked>()
  private readonly refusal: string
  private loggedAt = 0
  private refusedLogged = 0
  private evictedLogged = 0

  constructor(server: Server, readonly maxConnections: number, private readonly logger?: Logger) {
    this.refusal = rawErrorResponse(
      envelope(503, 'SystemError', `the server holds its limit of ${maxConnections} connections (--max-connections ${maxConnections}); retry later`, {
        code: 'TOO_MANY_CONNECTIONS'
      })
    )
    // Node's HTTP handling of a connection runs only for the connections admitted here.
    const listeners = server.listeners('connection') as Array<(this: Server, socket: Socket) => void>
    server.removeAllListeners('connection')
    server.on('connection', (socket: Socket) => {
      if (!this.admit(socket as Tracked)) return
      for (const listener of listeners) listener.call(server, socket)
    })
  }

  /** A request started on `socket` (headers received): the connection is busy, never evicted. */
  requestStarted(socket: Socket): void {
    const tracked = socket as Tracked
    if (tracked[kBusy] === undefined) return // not a connection of the server (an injected request)
    if (tracked[kBusy]++ === 0) this.waiting.delete(tracked)
  }

  /** A response on `socket` closed: with no other request in progress, the connection waits again. */
  requestEnded(socket: Socket): void {
    const tracked = socket as Tracked
    if (tracked[kBusy] === undefined) return
    if (--tracked[kBusy] === 0 && !tracked.destroyed) {
      tracked[kSince] = performance.now()
      this.waiting.add(tracked)
    }
  }

  private admit(socket: Tracked): boolean {
    if (this.maxConnections > 0 && this.open >= this.maxConnections && !this.evictOne()) {
      this.refuse(socket)
      return false
    }
    this.open++
    socket[kBusy] = 0
    socket[kSince] = performance.now()
    this.waiting.add(socket)
    socket.once('close', () => {
      this.open--
      this.waiting.delete(socket)
    })
    return true
  }

  /** Closes the connection waiting longest for a request, if it has waited long enough. */
  private evictOne(): boolean {
    const oldest = this.waiting.values().next().value
    if (oldest === undefined || performance.now() - oldest[kSince] < EVICT_AFTER_MS) return false
    this.waiting.delete(oldest)
    oldest.destroy()
    this.evicted++
    this.noteLimit()
    return true
  }

  private refuse(socket: Socket): void {
    this.refused++
    socket.on('error', () => {})
    socket.setTimeout(LINGER_MS, () => socket.destroy())
    // Read and drop what the client sends, so that closing does not reset the connection before the
    // client has read the 503.
    socket.resume()
    socket.end(this.refusal)
    this.noteLimit()
  }

  private noteLimit(): void {
    const now = performance.now()
    if (this.logger === undefined || now - this.loggedAt < LOG_EVERY_MS) return
    this.logger.warn(
      { maxConnections: this.maxConnections, refused: this.refused - this.refusedLogged, evicted: this.evicted - this.evictedLogged, periodMs: LOG_EVERY_MS },
      'connection limit reached: connections waiting longest for a request were closed, new ones refused with 503 when none had waited long enough'
    )
    this.loggedAt = now
    this.refusedLogged = this.refused
    this.evictedLogged = this.evicted
  }
}

/** Files the process keeps for itself (stdio, the listening socket, IPC, the event loop) ... */
const RESERVED_FILES = 64
/** ... and per sync-tool pool thread (its event loop and message ports). */
const FILES_PER_POOL_THREAD = 24

/**
 * The default --max-connections: what the open-file limit leaves once the process's own files are set
 * aside, so that a flood of connections is refused before accept() fails and resets everyone.
 * 0 (no cap) where the limit cannot be read.
 */
export function defaultMaxConnections(poolThreads: number): number {
  const limit = openFileLimit()
  if (limit === undefined) return 0
  return Math.max(1, limit - RESERVED_FILES - FILES_PER_POOL_THREAD * poolThreads)
}

/** The soft limit on open files (ulimit -n), from /proc on Linux. */
function openFileLimit(): number | undefined {
  try {
    const line = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'))
    if (line === null || line[1] === 'unlimited') return undefined
    return Number(line[1])
  } catch {
    return undefined
  }
}
