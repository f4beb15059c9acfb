// The bench report's tables as plain cells, shared by report.md, report.html and the terminal so the
// three always agree: the verdict table (one row per variant), the results table of this run in the
// study's format (one column per variant; answered and refused requests apart) and the study's published
// figures in the same format, as reference.
import { LOCUST_PERCENTILES } from '../../load/result.js'
import { HEALTH_LIMITS, type VariantAnalysis } from './analysis.js'
import type { VariantCapacity, VariantRecord } from './data.js'
import type { LoadResult } from '../../load/result.js'
import { cell, fmtCount, fmtMs, fmtPct, fmtRate, fmtSec } from './format.js'
import type { StudyColumn } from './study.js'

export interface Table {
  header: string[]
  rows: string[][]
}

type Stats = StudyColumn['stats']

type Row = [string, (s: Stats) => number | undefined]

const TIMES: Row[] = [
  ['Median Response Time (ms)', (s) => s.medianMs],
  ['Average Response Time (ms)', (s) => s.meanMs],
  ['Min Response Time (ms)', (s) => s.minMs],
  ['Max Response Time (ms)', (s) => s.maxMs]
]
const PERCENTILES = LOCUST_PERCENTILES.map((p): Row => [`${p}%`, (s) => s.percentiles[String(p)]])

/** The study's rows, in its order, as it published them (its Requests/s counts failures too). */
const STUDY_ROWS: Row[] = [
  ['Request Count', (s) => s.requests],
  ['Failure Count', (s) => s.failures],
  ...TIMES,
  ['Requests/s', (s) => s.rps],
  ['Failures/s', (s) => s.failuresPerSec],
  ...PERCENTILES
]

/** Locust's Requests/s split in three that add up to it: answered (2xx), refused at once (503), other failures. */
function rates(r: LoadResult) {
  const agg = r.aggregated
  const refused = r.errors.filter((e) => e.status === 503).reduce((n, e) => n + e.occurrences, 0)
  const refusedPerSec = agg.failures ? (agg.failuresPerSec * refused) / agg.failures : 0
  return { answered: agg.rps - agg.failuresPerSec, refused: refusedPerSec, other: agg.failuresPerSec - refusedPerSec }
}

type Measured = { stats: Stats; rates: ReturnType<typeof rates> }

const RESULT_ROWS: [string, (m: Measured) => number | undefined][] = [
  ['Request Count', (m) => m.stats.requests],
  ['Failure Count', (m) => m.stats.failures],
  ...TIMES.map(([label, pick]): [string, (m: Measured) => number | undefined] => [label, (m) => pick(m.stats)]),
  ['Answered (2xx) req/s', (m) => m.rates.answered],
  ['Refused (503) req/s', (m) => m.rates.refused],
  ['Other failures/s', (m) => m.rates.other],
  ...PERCENTILES.map(([label, pick]): [string, (m: Measured) => number | undefined] => [label, (m) => pick(m.stats)])
]

/** This run's figures in the study's format, one column per variant with a result. */
export function resultsTable(records: VariantRecord[]): Table {
  const measured = records.filter((r) => r.result)
  const columns = measured.map((r): Measured => ({ stats: r.result!.aggregated, rates: rates(r.result!) }))
  return {
    header: ['Metric', ...measured.map((r) => r.meta.name)],
    rows: RESULT_ROWS.map(([label, pick]) => [label, ...columns.map((c) => cell(pick(c)))])
  }
}

/** The study's published figures in its own format (— where it published none). */
export function studyTable(study: StudyColumn[]): Table {
  return {
    header: ['Metric', ...study.map((s) => s.label)],
    rows: STUDY_ROWS.map(([label, pick]) => [label, ...study.map((s) => cell(pick(s.stats)))])
  }
}

const orDash = (v: number | null, f: (n: number) => string) => (v === null ? '—' : f(v))

/** `floodgate bench --capacity`'s finding in a cell: "at least 300 users (41.2 req/s)", "none: 1 user broke p99<100". */
export function capacityCell(c: VariantCapacity | undefined): string {
  if (!c) return '—'
  const load = (n: number) => (c.unit === 'users' ? `${fmtCount(n)} user${n === 1 ? '' : 's'}` : fmtRate(n))
  if (c.capacity) return `${c.capacity.at_least ? 'at least ' : ''}${load(c.capacity.load)} (${fmtRate(c.capacity.achieved_rps)})`
  if (c.first_failing) return `none: ${load(c.first_failing.load)} broke ${c.first_failing.broke}`
  return `none found (${c.stop_reason})`
}

/**
 * One row per variant: what it answered and refused, how fast, against the ideal, and its verdict; with
 * `records` that carry capacity searches, a "Capacity within SLO" column after it (the SLOs in its header).
 */
export function analysisTable(analyses: VariantAnalysis[], records: VariantRecord[] = []): Table {
  const searched = records.filter((r) => r.capacity)
  const slos = [...new Set(searched.flatMap((r) => r.capacity!.slo))]
  const capacity = searched.length ? [`Capacity within ${slos.join(', ')}`] : []
  return {
    header: ['Variant', 'Answered req/s', 'Refused (503) req/s', 'Ideal req/s', '% of ideal', 'p50', 'p99',
      'Median overhead', 'p99 overhead', 'Event-loop delay (max)', 'Server CPU / request', 'Failures', 'Verdict', ...capacity],
    rows: analyses.map((a) => [
      a.name,
      a.achievedRps.toFixed(1),
      a.refusedRps.toFixed(1),
      orDash(a.idealRps, (n) => n.toFixed(1)),
      orDash(a.percentOfIdeal, (n) => fmtPct(n, 1)),
      orDash(a.medianMs, (n) => fmtMs(n)),
      orDash(a.p99Ms, (n) => fmtMs(n)),
      orDash(a.medianOverheadMs, (n) => fmtMs(n)),
      orDash(a.p99OverheadMs, (n) => fmtMs(n)),
      orDash(a.eventLoopDelayMaxMs, (n) => fmtMs(n)),
      orDash(a.cpu.serverMsPerRequest, (n) => fmtMs(n, 2)),
      cell(a.failures),
      a.verdict.kind,
      ...(capacity.length ? [capacityCell(records.find((r) => r.meta.name === a.name)?.capacity)] : [])
    ])
  }
}

/** Facts behind the verdict, beyond the findings: where the service time came from, pool, memory, loop delay. */
export function details(a: VariantAnalysis): string[] {
  const out: string[] = []
  const source = a.serviceTimeSource === 'declared' ? 'declared in bench.yaml' : a.serviceTimeSource === 'warm-up' ? 'measured by the warm-up' : 'unknown'
  const low = a.lowLoadSec !== null && a.serviceTimeSource === 'declared' ? `; the warm-up measured ${fmtSec(a.lowLoadSec)} at low load` : ''
  if (a.serviceTimeSec !== null) {
    out.push(`Service time ${fmtSec(a.serviceTimeSec)} (${source}${low}); users waited ${fmtSec(a.meanWaitSec)} on average, ` +
      `so ${cell(Math.round(a.avgUsers * 10) / 10, 1)} users on average allow ${orDash(a.idealRps, (n) => n.toFixed(1))} req/s.`)
  }
  if (a.pool) {
    const p = a.pool
    const capacity = p.capacityRps !== null && p.runTimeSec !== null
      ? `; capacity ${cell(p.runSlots)} / ${fmtSec(p.runTimeSec)} per run (at low load) = ${p.capacityRps.toFixed(1)} req/s`
      : ''
    out.push(`Pool: ${cell(p.runSlots)} run slots, taken ${fmtPct(p.busyAvg * 100, 0)} on average${capacity}; ` +
      `threads peaked at ${cell(p.threadsPeak)}${p.threadsMax !== null ? ` of ${cell(p.threadsMax)} possible` : ''}, ` +
      `tasks waiting for a thread at ${cell(p.queueMax)}, runs waiting for a slot at ${cell(p.runsWaitingMax)}.`)
  }
  const cpu = a.cpu
  if (cpu.serverPercent !== null) {
    out.push(`CPU over the load: server ${fmtPct(cpu.serverPercent, 0)} of a core` +
      `${cpu.servicesPercent !== null ? `, other services ${fmtPct(cpu.servicesPercent, 0)}` : ''}` +
      `${cpu.generatorPercent !== null ? `, generator ${fmtPct(cpu.generatorPercent, 0)}` : ''}` +
      `${cpu.machineBusyPercent !== null ? `; whole machine ${fmtPct(cpu.machineBusyPercent, 0)} busy` : ''}` +
      `${cpu.serverRssMaxBytes !== null ? `; server memory peaked at ${Math.round(cpu.serverRssMaxBytes / 1048576)} MiB RSS` : ''}.`)
  }
  if (a.eventLoopDelayMaxMs !== null) out.push(`Event-loop delay (p99 per scrape) peaked at ${fmtMs(a.eventLoopDelayMaxMs)} during the load.`)
  if (a.p99OverheadBoundMs !== null) out.push(`"healthy" allows a p99 overhead up to ${fmtMs(a.p99OverheadBoundMs)} and an event-loop delay up to ${fmtMs(HEALTH_LIMITS.eventLoopDelayMs)} (docs/bench.md).`)
  return out
}
