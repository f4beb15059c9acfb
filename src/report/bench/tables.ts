// The bench report's tables as plain cells, shared by report.md, report.html and the terminal so the
// three always agree: the study's results table (one column per variant plus the study's published
// columns) and the analysis summary (one row per variant).
import { LOCUST_PERCENTILES } from '../../load/result.js'
import type { VariantAnalysis } from './analysis.js'
import type { VariantRecord } from './data.js'
import { cell, fmtMs, fmtPct, fmtSec } from './format.js'
import type { StudyColumn } from './study.js'

export interface Table {
  header: string[]
  rows: string[][]
}

type Stats = StudyColumn['stats']

/** The study's rows, in its order. */
const ROWS: [string, (s: Stats) => number | undefined][] = [
  ['Request Count', (s) => s.requests],
  ['Failure Count', (s) => s.failures],
  ['Median Response Time (ms)', (s) => s.medianMs],
  ['Average Response Time (ms)', (s) => s.meanMs],
  ['Min Response Time (ms)', (s) => s.minMs],
  ['Max Response Time (ms)', (s) => s.maxMs],
  ['Requests/s', (s) => s.rps],
  ['Failures/s', (s) => s.failuresPerSec],
  ...LOCUST_PERCENTILES.map((p): [string, (s: Stats) => number | undefined] => [`${p}%`, (s) => s.percentiles[String(p)]])
]

export function resultsTable(records: VariantRecord[], study: StudyColumn[]): Table {
  const measured = records.filter((r) => r.result)
  const columns: Stats[] = [...measured.map((r): Stats => r.result!.aggregated), ...study.map((s) => s.stats)]
  return {
    header: ['Metric', ...measured.map((r) => r.meta.name), ...study.map((s) => s.label)],
    rows: ROWS.map(([label, pick]) => [label, ...columns.map((c) => cell(pick(c)))])
  }
}

const orDash = (v: number | null, f: (n: number) => string) => (v === null ? '—' : f(v))

export function analysisTable(analyses: VariantAnalysis[]): Table {
  return {
    header: ['Variant', 'Service time', 'Users (avg)', 'Ideal req/s', 'Achieved req/s', '% of ideal',
      'Median overhead', 'p99 overhead', 'Server CPU / request', 'Failures', 'Verdict'],
    rows: analyses.map((a) => [
      a.name,
      orDash(a.serviceTimeSec, fmtSec),
      cell(Math.round(a.avgUsers * 10) / 10, 1),
      orDash(a.idealRps, (n) => n.toFixed(1)),
      a.achievedRps.toFixed(1),
      orDash(a.percentOfIdeal, (n) => fmtPct(n, 1)),
      orDash(a.medianOverheadMs, (n) => fmtMs(n)),
      orDash(a.p99OverheadMs, (n) => fmtMs(n)),
      orDash(a.cpu.serverMsPerRequest, (n) => fmtMs(n, 2)),
      cell(a.failures),
      a.verdict.kind
    ])
  }
}

/** Facts behind the verdict, beyond the findings: where the service time came from, pool, memory, loop delay. */
export function details(a: VariantAnalysis, record: VariantRecord): string[] {
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
  const loop = record.samples?.metrics.reduce((m, s) => Math.max(m, s.eventLoopDelaySec ?? 0), 0) ?? 0
  if (loop > 0) out.push(`Event-loop delay (p99 per scrape) peaked at ${fmtSec(loop)}.`)
  return out
}
