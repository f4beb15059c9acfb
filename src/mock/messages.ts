// IPC messages between the cluster primary and mock workers (--workers N). The primary holds no server:
// it forks the workers, sums their counters for /stats, and stops them.
import type { MockStatsSnapshot } from './stats.js'

export type StatsAction = 'get' | 'clear'

export type WorkerMessage =
  | { fg: 'ready'; port: number }
  | { fg: 'failed'; message: string }
  /** A worker serving GET /stats asks the primary for the sum over all workers. */
  | { fg: 'stats-request'; id: number; action: StatsAction }
  /** A worker's answer to `collect`. */
  | { fg: 'snapshot'; id: number; stats: MockStatsSnapshot }

export type PrimaryMessage =
  | { fg: 'collect'; id: number; action: StatsAction }
  | { fg: 'stats-reply'; id: number; stats?: MockStatsSnapshot; error?: string }
  | { fg: 'close' }

export const optionsEnv = 'FLOODGATE_MOCK_OPTIONS'
export const indexEnv = 'FLOODGATE_MOCK_WORKER'
export const rateLimitEnv = 'FLOODGATE_MOCK_RATE_LIMIT'

export function isMessage<T extends { fg: string }>(m: unknown): m is T {
  return typeof m === 'object' && m !== null && typeof (m as { fg?: unknown }).fg === 'string'
}
