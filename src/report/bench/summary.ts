// The report's opening: one sentence per variant saying what it reached, what limited it and what to do,
// built from its analysis alone. Pure and table-driven like analysis.ts: one entry per verdict kind, each
// part quoting figures of the analysis, never text written for a particular run.
import { HEALTH_LIMITS, verdictTone, type FindingKind, type Tone, type VariantAnalysis } from './analysis.js'
import type { VariantCapacity, VariantMeta, VariantRecord } from './data.js'
import { fmtCount, fmtMs, fmtPct, fmtRate, fmtSec } from './format.js'
import { capacityCell } from './tables.js'

export interface SummaryLine {
  name: string
  tone: Tone
  /** One sentence: "<variant> answered ...; limited by ...; what to do". */
  text: string
}

interface Part {
  /** What set the rate, with the figure that shows it. */
  limit: (a: VariantAnalysis) => string
  /** What to do about it. */
  advice: (a: VariantAnalysis) => string
}

const perRunSlot = (a: VariantAnalysis) =>
  a.pool?.runTimeSec ? ` (each slot adds ${fmtRate(1 / a.pool.runTimeSec)})` : ''

const machineBusy = (a: VariantAnalysis) =>
  a.cpu.machineBusyPercent !== null && a.cpu.machineBusyPercent >= 90

const loopBlocked = (a: VariantAnalysis) =>
  a.eventLoopDelayMaxMs !== null && a.eventLoopDelayMaxMs > HEALTH_LIMITS.eventLoopDelayMs

const tailTooLong = (a: VariantAnalysis) =>
  a.p99OverheadMs !== null && a.p99OverheadBoundMs !== null && a.p99OverheadMs > a.p99OverheadBoundMs

const PARTS: Record<FindingKind, Part> = {
  healthy: {
    limit: (a) => `nothing in the server limited it, the users' own pace did (p99 overhead ${fmtMs(a.p99OverheadMs ?? 0)}` +
      `${a.eventLoopDelayMaxMs !== null ? `, event-loop delay at most ${fmtMs(a.eventLoopDelayMaxMs)}` : ''})`,
    advice: () => 'to find its limit, raise the users until it falls below the ideal'
  },
  degraded: {
    limit: (a) => 'limited by ' + [
      tailTooLong(a) ? `its tail: p99 overhead ${fmtMs(a.p99OverheadMs!)} over the ${fmtMs(a.p99OverheadBoundMs!)} bound` : null,
      loopBlocked(a) ? `its event loop: delay peaked at ${fmtMs(a.eventLoopDelayMaxMs!)} (bound ${fmtMs(HEALTH_LIMITS.eventLoopDelayMs)})` : null,
      machineBusy(a) ? `with the machine ${fmtPct(a.cpu.machineBusyPercent!, 0)} busy` : null
    ].filter(Boolean).join(', '),
    advice: (a) => loopBlocked(a)
      ? 'find what blocks the event loop (a sync call or a large parse in an async tool) or spread the load over more --workers'
      : machineBusy(a)
        ? 'run it again on a quiet machine before trusting the tail'
        : 'look at its latency chart for when the tail grew'
  },
  backpressure: {
    limit: (a) => a.pool
      ? `limited by its ${fmtCount(a.pool.runSlots)} run slots${a.pool.capacityRps !== null ? ` (capacity ${fmtRate(a.pool.capacityRps)})` : ''}: ` +
        `the other requests queued, a median wait of ${fmtSec((a.medianOverheadMs ?? 0) / 1000)}`
      : `limited by a queue in the server, a median wait of ${fmtSec((a.medianOverheadMs ?? 0) / 1000)}`,
    advice: (a) => a.pool
      ? `add run slots with --workers x --threads${perRunSlot(a)} or use async tools, and keep admission control on so the excess gets an immediate 503 instead of a wait`
      : 'find what the requests wait for (its /metrics and CPU charts) and keep admission control on so the excess gets an immediate 503'
  },
  admission: {
    limit: (a) => a.rejectedByServer
      ? `limited by its admission control, by design: it refused ${fmtPct(share503(a) * 100, 0)} of requests at once with Retry-After` +
        `${a.runsInProgressMax !== null ? ` and ran at most ${fmtCount(a.runsInProgressMax)} at a time` : ''}` +
        `${a.medianOverheadMs !== null ? `, so the admitted kept a ${fmtMs(a.medianOverheadMs)} median overhead` : ''}`
      : `limited by 503 answers (${fmtPct(share503(a) * 100, 0)} of requests) that no Floodgate admission metric counted`,
    advice: (a) => a.rejectedByServer
      ? `to answer more, add run slots${perRunSlot(a)} or use async tools; clients should retry after Retry-After`
      : 'find what in front of the target refuses them'
  },
  'generator-bound': {
    limit: () => 'limited by the load generator, not the server (its CPU was saturated)',
    advice: () => 'run the load from more processes (floodgate load --processes) or another machine'
  },
  'machine-bound': {
    limit: (a) => `limited by the machine: its cores were ${fmtPct(a.cpu.machineBusyPercent ?? a.cpu.oursPercentOfMachine ?? 0, 0)} busy` +
      `${a.cpu.oursPercentOfMachine !== null && a.cpu.machineBusyPercent !== null && a.cpu.oursPercentOfMachine < a.cpu.machineBusyPercent / 2 ? ', mostly with other programs' : ''}`,
    advice: () => 'run it again on a quiet machine, or give the server cores of its own'
  },
  failing: {
    limit: (a) => `limited by failures: ${a.errors.filter((e) => e.label !== '503').map((e) => `${fmtCount(e.count)} ${e.label}`).join(', ')}`,
    advice: () => 'fix the failures first (the details below explain each kind)'
  },
  'below-ideal': {
    limit: () => 'below the ideal, though nothing this bench measured was saturated',
    advice: () => 'look at its charts (requests/s, latency, CPU) for where the time went'
  },
  'no-data': {
    limit: (a) => (a.requests ? 'no verdict: no service time to compare with' : 'no verdict: no requests were recorded'),
    advice: (a) => (a.requests ? 'declare service_time in bench.yaml or keep the warm-up' : 'check that its target answers')
  }
}

function share503(a: VariantAnalysis): number {
  return a.errors.find((e) => e.label === '503')?.share ?? 0
}

/** "answered 166.0 req/s (99.7% of the ideal 166.6 req/s), p50 1,253 ms, p99 1,434 ms". */
function reached(a: VariantAnalysis): string {
  if (a.requests === 0) return 'answered nothing'
  const refused = a.refusedRps > 0 ? ` and refused ${fmtRate(a.refusedRps)} with 503` : ''
  const ideal = a.percentOfIdeal !== null ? ` (${fmtPct(a.percentOfIdeal, 0)} of the ideal ${fmtRate(a.idealRps!)})` : ''
  const latency = a.medianMs !== null ? `, p50 ${fmtSec(a.medianMs / 1000)}, p99 ${fmtSec(a.p99Ms! / 1000)}` : ''
  return `answered ${fmtRate(a.achievedRps)}${refused}${ideal}${latency}`
}

/** `capacity`: what `floodgate bench --capacity` found for the variant, said after the rest. */
export function summaryLine(a: VariantAnalysis, capacity?: VariantCapacity): SummaryLine {
  const part = PARTS[a.verdict.kind]
  const held = capacity ? ` Capacity within ${capacity.slo.join(', ')}: ${capacityCell(capacity)}.` : ''
  return { name: a.name, tone: verdictTone(a), text: `${a.name} ${reached(a)}; ${part.limit(a)}; ${part.advice(a)}.${held}` }
}

const FAILED_TEXT_MAX = 200

/** A variant that failed before it was measured: its error's first line (the details carry the whole). */
export function failedLine(meta: VariantMeta): SummaryLine {
  // Errors start with the variant's name ("broken: service broken: ..."): said once.
  const first = (meta.error ?? 'unknown error').split('\n')[0]!.replace(`${meta.name}: `, '')
  const error = first.length > FAILED_TEXT_MAX ? `${first.slice(0, FAILED_TEXT_MAX - 1)}…` : first
  return { name: meta.name, tone: 'bad', text: `${meta.name} failed before it was measured: ${error}${/[.…]$/.test(error) ? '' : '.'}` }
}

/** One line per variant in run order: its analysis's sentence, or why it failed. */
export function summaryLines(records: VariantRecord[], analyses: VariantAnalysis[]): SummaryLine[] {
  return records.flatMap((r) => {
    const a = analyses.find((x) => x.name === r.meta.name)
    if (a) return [summaryLine(a, r.capacity)]
    return r.meta.status === 'failed' ? [failedLine(r.meta)] : []
  })
}
