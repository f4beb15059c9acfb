// A LoadResult recorded through the load generator's own Recorder, second by second, from latencies
// the test chooses: its windows carry real HDR histograms, as a run's do. Nothing here sends a request.
import { Recorder } from '../../../src/load/recorder.js'
import { httpFailure } from '../../../src/load/failure.js'
import type { LoadResult } from '../../../src/load/result.js'

export interface RecordedSecond {
  users: number
  /** Latencies of the successful requests completed in this second, ms. */
  ok: number[]
  /** Latencies of requests answered 503 in this second, ms. */
  refused?: number[]
}

/** One window per entry of `seconds`, ending at startSec + 1, + 2, ...; the run time is `runTimeSec`. */
export function recordedRun(startMs: number, runTimeSec: number, seconds: RecordedSecond[], wait = 'none'): LoadResult {
  const recorder = new Recorder()
  const ep = recorder.endpoint('GET', '/')
  const firstT = Math.floor(startMs / 1000) + 1
  seconds.forEach((s, i) => {
    for (const ms of s.ok) recorder.record(ep, ms * 1000, 200, 10)
    for (const ms of s.refused ?? []) recorder.record(ep, ms * 1000, 503, 10, httpFailure(503, '/'))
    recorder.closeWindow(firstT + i, 1, s.users, 0)
  })
  const users = Math.max(...seconds.map((s) => s.users))
  const config = {
    url: 'http://127.0.0.1:1/', method: 'GET', name: '/', mode: 'closed' as const, users, spawnRate: users,
    runTimeSec, wait, timeoutSec: 60, processes: 1
  }
  const endedAt = (firstT + seconds.length - 1) * 1000
  return recorder.toResult(config, startMs, endedAt, (endedAt - startMs) / 1000, false,
    { processes: 1, cpuPercentAvg: 10, cpuPercentMax: 20, rssMaxBytes: 1e8, saturated: false })
}

/** `n` latencies spread evenly from `from` to `to` ms. */
export function spread(n: number, from: number, to: number): number[] {
  return Array.from({ length: n }, (_, i) => from + ((to - from) * i) / Math.max(1, n - 1))
}
