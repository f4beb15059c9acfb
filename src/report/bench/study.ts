// The published figures of the study Floodgate re-creates (see docs/bench.md and SEED.md), as data, so
// report.md can show them beside this machine's columns. Missing figures are undefined, never guessed.
import type { EndpointStats } from '../../load/result.js'

export interface StudyColumn {
  /** Column heading in report.md. */
  label: string
  users: number
  stats: Partial<Omit<EndpointStats, 'percentiles' | 'method' | 'name'>> & { percentiles: Record<string, number> }
}

/** The study run: 1000 users, spawn rate 10/s, 5 minutes, 8 logical CPUs. */
export const STUDY_1000: StudyColumn[] = [
  {
    label: 'study sync (Flask, 1000 users)',
    users: 1000,
    stats: {
      requests: 12157, failures: 1, medianMs: 9900, meanMs: 13779.82, minMs: 1.07, maxMs: 48101.42, rps: 40.6,
      percentiles: { '50': 9900, '66': 17000, '75': 22000, '80': 24000, '90': 34000, '95': 40000, '98': 47000, '99': 48000, '99.9': 48000, '100': 48000 }
    }
  },
  {
    label: 'study async (FastAPI, 1000 users)',
    users: 1000,
    stats: {
      requests: 65554, failures: 43, medianMs: 1400, meanMs: 1546.9, minMs: 0.73, maxMs: 4212.5, rps: 218.85,
      percentiles: { '50': 1400, '66': 1500, '75': 1700, '80': 1800, '90': 2100, '95': 2400, '98': 2800, '99': 3000, '99.9': 4000, '100': 4200 }
    }
  }
]

/** The harness's archived run: 500 users, spawn rate 50/s, 60 s. Only these figures were published. */
export const STUDY_500: StudyColumn[] = [
  { label: 'study sync (Flask, 500 users)', users: 500, stats: { rps: 41.17, medianMs: 5800, maxMs: 25289, percentiles: { '50': 5800, '100': 25289 } } },
  { label: 'study async DAG (500 users)', users: 500, stats: { rps: 166.23, medianMs: 1300, percentiles: { '50': 1300, '99': 1500 } } },
  { label: 'study flex async (500 users)', users: 500, stats: { rps: 166.47, percentiles: {} } }
]

/** PromptFlow 1.18's own serving measured on a 2-core machine like this one (generator, mock, server together). */
export interface PromptflowHere {
  run: string
  users: number
  asyncRps: number
  asyncPercentOfIdeal: number
  asyncP99Ms: number
  asyncCpuMsPerRequest?: number
  asyncFailures: string
  syncRps: number
  syncMedianMs: number
}

export const PROMPTFLOW_ON_2_CORES: PromptflowHere[] = [
  {
    run: '500 users, spawn 50, 60 s', users: 500, asyncRps: 167.5, asyncPercentOfIdeal: 100, asyncP99Ms: 1400,
    asyncCpuMsPerRequest: 4.5, asyncFailures: 'none', syncRps: 44.0, syncMedianMs: 6300
  },
  {
    run: '1000 users, spawn 10, 5 min', users: 1000, asyncRps: 282.9, asyncPercentOfIdeal: 93, asyncP99Ms: 2400,
    asyncFailures: '33 connection resets', syncRps: 49.2, syncMedianMs: 14000
  }
]

/** The study columns that fit a run of `users` users: the archived 500-user run or the 1000-user study run. */
export function studyColumnsFor(users: number): StudyColumn[] {
  return users === 500 ? STUDY_500 : STUDY_1000
}
