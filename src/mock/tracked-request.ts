// One API request's life in the mock: its pending timer and how it ended, kept in step with MockStats.
// The response's 'close' event is the single place where a request that was neither reset nor hung is
// settled, so a client that leaves (timeout, stream it stopped reading) stops its timer and is counted.
import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { MockStats } from './stats.js'

export class TrackedRequest {
  timer: NodeJS.Timeout | null = null
  private settled = false

  constructor(private readonly stats: MockStats) {
    stats.onReceived()
  }

  /** Called once, on the response's 'close' (after a full answer, a reset, or the client leaving). */
  closed(res: ServerResponse): void {
    if (this.timer !== null) {
      clearTimeout(this.timer)
      this.timer = null
    }
    if (this.settled) return
    this.settled = true
    if (res.writableFinished) this.stats.onAnswered(res.statusCode)
    else this.stats.onAborted()
  }

  /** `n` completion tokens were written to the client. */
  sentTokens(n: number): void {
    this.stats.tokensSent += n
  }

  /** Resets the connection: the client sees ECONNRESET (an RST), not a clean close. */
  reset(socket: Socket | null): void {
    this.settled = true
    this.stats.onReset()
    if (!socket) return
    if (typeof socket.resetAndDestroy === 'function' && !socket.destroyed) socket.resetAndDestroy()
    else socket.destroy()
  }

  /** Never answers; the request is released when the client leaves or the server closes. */
  hang(): void {
    this.settled = true
    this.stats.onHung()
  }
}
