// Request counters of one mock process, and their sum across workers.
//
// Every API request (GET /, /v1/...) ends in exactly one of: answered (a full response, counted by status),
// reset (we reset the connection), hung (we chose never to answer), aborted (the client left before the
// answer was complete, e.g. its timeout or a stream it stopped reading). Until then it is in flight.
// So at any time: received = answered + reset + hung + aborted + inFlight.
// /stats, /health and the like are not counted, so a load generator's counts reconcile with these.
// tokensSent counts the LLM's completion tokens as they are written (a stream cut short counts those it sent).

export interface MockStatsSnapshot {
  received: number
  answered: number
  inFlight: number
  hung: number
  reset: number
  aborted: number
  /** Completion tokens of chat replies written to clients. */
  tokensSent: number
  byStatus: Record<string, number>
  startedAt: string
  uptimeSec: number
  workers: number
}

export class MockStats {
  received = 0
  answered = 0
  inFlight = 0
  hung = 0
  reset = 0
  aborted = 0
  tokensSent = 0
  // Indexed by HTTP status: cheaper on the hot path than an object keyed by strings.
  private byStatus = new Float64Array(600)
  private startedAtMs = Date.now()

  onReceived(): void {
    this.received++
    this.inFlight++
  }

  onAnswered(status: number): void {
    this.inFlight--
    this.answered++
    this.byStatus[status < 600 ? status : 599]++
  }

  onAborted(): void {
    this.inFlight--
    this.aborted++
  }

  onReset(): void {
    this.inFlight--
    this.reset++
  }

  onHung(): void {
    this.inFlight--
    this.hung++
  }

  /** Starts a new counting period; requests still in flight are carried over as received. */
  clear(): void {
    this.received = this.inFlight
    this.answered = this.hung = this.reset = this.aborted = this.tokensSent = 0
    this.byStatus.fill(0)
    this.startedAtMs = Date.now()
  }

  snapshot(): MockStatsSnapshot {
    const byStatus: Record<string, number> = {}
    for (let s = 0; s < 600; s++) if (this.byStatus[s] > 0) byStatus[String(s)] = this.byStatus[s]
    return {
      received: this.received,
      answered: this.answered,
      inFlight: this.inFlight,
      hung: this.hung,
      reset: this.reset,
      aborted: this.aborted,
      tokensSent: this.tokensSent,
      byStatus,
      startedAt: new Date(this.startedAtMs).toISOString(),
      uptimeSec: (Date.now() - this.startedAtMs) / 1000,
      workers: 1
    }
  }
}

/** Adds the workers' snapshots; the earliest start and the longest uptime stand for the whole server. */
export function sumStats(parts: MockStatsSnapshot[]): MockStatsSnapshot {
  const total: MockStatsSnapshot = {
    received: 0, answered: 0, inFlight: 0, hung: 0, reset: 0, aborted: 0, tokensSent: 0, byStatus: {},
    startedAt: parts[0]?.startedAt ?? new Date().toISOString(), uptimeSec: 0, workers: 0
  }
  for (const p of parts) {
    total.received += p.received
    total.answered += p.answered
    total.inFlight += p.inFlight
    total.hung += p.hung
    total.reset += p.reset
    total.aborted += p.aborted
    total.tokensSent += p.tokensSent ?? 0
    for (const [status, n] of Object.entries(p.byStatus)) total.byStatus[status] = (total.byStatus[status] ?? 0) + n
    if (p.startedAt < total.startedAt) total.startedAt = p.startedAt
    total.uptimeSec = Math.max(total.uptimeSec, p.uptimeSec)
    total.workers += p.workers
  }
  return total
}
