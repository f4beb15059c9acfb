// `startMock`: the study's mock API and an OpenAI-compatible mock LLM, in this process (workers: 1) or as
// a cluster of worker processes. Used by `floodgate mock`, tests, benchmarks and other areas' tests.
import { startCluster } from './cluster.js'
import { resolveMockOptions, type MockOptions } from './options.js'
import { urlOf } from '../process/index.js'
import { listenMock } from './server.js'
import type { MockStatsSnapshot } from './stats.js'

export interface MockServer {
  /** e.g. http://127.0.0.1:50001 (the study's API at /, the OpenAI API at /v1). */
  url: string
  port: number
  /** Stops listening and drops waiting, streaming and hung requests at once. */
  close(): Promise<void>
  /** The counters of GET /stats (summed over workers). */
  stats(): Promise<MockStatsSnapshot>
  /** Starts a new counting period, as POST /stats/reset. */
  resetStats(): Promise<void>
}

/**
 * Starts the mock. Unset options take their defaults (MIN_WAIT_TIME_SEC / MAX_WAIT_TIME_SEC from `env`,
 * else 1 s; port 50001: pass port 0 for a free one). Throws UsageError for a bad option (naming its
 * flag) and StartupError when the port cannot be had.
 */
export async function startMock(options: Partial<MockOptions> = {}, env: NodeJS.ProcessEnv = process.env): Promise<MockServer> {
  const o = resolveMockOptions(options, env)
  if (o.workers > 1) return startCluster(o)
  const server = await listenMock(o, 0, o.rateLimit)
  let closed: Promise<void> | undefined
  return {
    url: urlOf(o.host, server.port),
    port: server.port,
    close: () => (closed ??= server.app.close()),
    stats: async () => server.stats.snapshot(),
    resetStats: async () => server.stats.clear()
  }
}

export { resolveMockOptions, validateMockOptions, mockDefaults, latencyKinds } from './options.js'
export type { MockOptions, LatencyKind } from './options.js'
export type { MockStatsSnapshot } from './stats.js'
export { mulberry32, delaySampler } from './random.js'
