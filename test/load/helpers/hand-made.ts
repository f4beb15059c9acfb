// A run whose figures are known by hand: 100 requests of 1, 2, ..., 100 ms over 10 s, ten per second
// (second k holds k*10+1 .. k*10+10 ms), every tenth (10, 20, ..., 100 ms) a 503, the others 100 bytes.
// Its expected figures: mean 50.5 ms, min 1, max 100, 10 req/s, 1 failure/s, 90 bytes on average, and
// percentiles at the top of the HDR bucket of the n-th value (3 significant digits: 1 us buckets below
// 2.048 ms, 32 us from 32.768 ms, 64 us from 65.536 ms), never above the exact maximum.
import { Recorder } from '../../../src/load/recorder.js'
import { httpFailure } from '../../../src/load/failure.js'
import type { GeneratorStats, LoadConfig, LoadResult } from '../../../src/load/result.js'

export const START_MS = 1_700_000_000_000
export const SECONDS = 10

export const HAND_CONFIG: LoadConfig = {
  url: 'http://127.0.0.1:8080/score', method: 'POST', name: '/score', mode: 'closed', users: 10, spawnRate: 10,
  runTimeSec: SECONDS, wait: 'none', timeoutSec: 60, processes: 1
}

const GENERATOR: GeneratorStats = { processes: 1, cpuPercentAvg: 5, cpuPercentMax: 9, rssMaxBytes: 50e6, saturated: false }

/** Percentile -> ms: the 50th of 100 values is 50 ms, whose 32 us bucket ends at 50.015 ms; and so on. */
export const HAND_PERCENTILES: Record<string, number> = {
  50: 50.015, 66: 66.047, 75: 75.007, 80: 80.063, 90: 90.047, 95: 95.039, 98: 98.047, 99: 99.007,
  // The 100th value's bucket ends at 100.031 ms, above the exact maximum: capped at 100.
  99.9: 100, 99.99: 100, 100: 100
}

/** The hand-made run recorded by one Recorder, or split over `shards` recorders by value (ms % shards). */
export function handMadeResults(shards = 1): LoadResult[] {
  const recorders = Array.from({ length: shards }, () => new Recorder())
  for (let s = 0; s < SECONDS; s++) {
    for (let ms = s * 10 + 1; ms <= s * 10 + 10; ms++) {
      const r = recorders[ms % shards]!
      const failed = ms % 10 === 0
      r.record(r.endpoint('POST', '/score'), ms * 1000, failed ? 503 : 200, failed ? 0 : 100, failed ? httpFailure(503, '/score') : undefined)
    }
    for (const r of recorders) r.closeWindow(START_MS / 1000 + s + 1, 1, 10 / shards, 0)
  }
  const config = { ...HAND_CONFIG, users: HAND_CONFIG.users / shards, processes: 1 }
  return recorders.map((r) => r.toResult(config, START_MS, START_MS + SECONDS * 1000, SECONDS, false, GENERATOR))
}
