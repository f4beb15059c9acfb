// What the mock's cluster primary and workers (--workers N) say to each other beyond
// src/process/messages.ts (same format). The primary holds no server: it forks the workers, sums their
// counters for /stats, and stops them.

export type StatsAction = 'get' | 'clear'

/** A worker serving GET /stats (or POST /stats/reset) asks the primary for the sum over all workers. */
export const STATS = 'floodgate:stats'
/** The primary asks each worker for its counters (clearing them first for 'clear'). */
export const COLLECT = 'floodgate:collect'

export const optionsEnv = 'FLOODGATE_MOCK_OPTIONS'
export const indexEnv = 'FLOODGATE_MOCK_WORKER'
export const rateLimitEnv = 'FLOODGATE_MOCK_RATE_LIMIT'
