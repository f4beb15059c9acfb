// The capacity report's tables as plain cells, shared by capacity.md, capacity.html and the terminal so
// the three always agree: the finding (capacity, first failing load, what saturated) and every step.
import { cell, fmtMs, fmtPct, fmtRate, fmtSec, type Table } from '../report/index.js'
import type { CapacityFile, CapacityStep } from './data.js'
import { brokeText, loadText } from './summary.js'

const ms = (v: number | null) => (v === null ? '—' : fmtMs(v, 0))

/** An SLO's measured figure: ms for response times, else the number as measured. */
export function sloFigure(slo: string, actual: number | null): string {
  if (actual === null) return '—'
  return /^(p\d|avg|med|min|max)/.test(slo) ? ms(actual) : cell(Math.round(actual * 1e4) / 1e4, 4)
}

export function findingTable(f: CapacityFile): Table {
  const rows: string[][] = []
  const c = f.capacity
  rows.push(['Capacity within SLO', c ? `${c.at_least ? 'at least ' : ''}${loadText(c.load, c.unit)}` : 'none',
    c ? fmtRate(c.achieved_rps) : '—', c ? ms(c.p50_ms) : '—', c ? ms(c.p99_ms) : '—',
    c ? `step ${c.step}${c.confirmed ? ', confirmed by a repeated step' : ', not repeated'}` : f.summary])
  const ff = f.first_failing
  const failStep = ff ? f.steps.find((s) => s.index === ff.step) : undefined
  rows.push(['First failing load', ff ? loadText(ff.load, ff.unit) : 'none', ff ? fmtRate(ff.achieved_rps) : '—', ff ? ms(ff.p50_ms) : '—',
    ff ? ms(ff.p99_ms) : '—', failStep ? `step ${ff!.step}: broke ${brokeText(failStep)}` : c?.at_least ? 'the upper bound passed' : '—'])
  return { header: ['', 'Load', 'Achieved', 'p50', 'p99', ''], rows }
}

function result(s: CapacityStep): string {
  if (s.status === 'interrupted') return 'interrupted'
  return s.passed ? 'pass' : `FAIL ${s.broke ?? ''}`.trim()
}

/** Every step (also the steps so far, for the live page). */
export function stepsTable(f: Pick<CapacityFile, 'slo' | 'steps'>): Table {
  return {
    header: ['Step', 'Load', 'Purpose', 'Result', 'Achieved req/s', 'Asked req/s', 'p50', 'p99', ...f.slo, 'Requests', 'Failures', 'Steady s', 'Saturated'],
    rows: f.steps.map((s) => [
      String(s.index), loadText(s.load, s.unit), s.purpose, result(s), s.achieved_rps.toFixed(1),
      s.offered_rps === null ? '—' : s.offered_rps.toFixed(1), ms(s.p50_ms), ms(s.p99_ms),
      ...f.slo.map((slo) => sloFigure(slo, s.slo.find((o) => o.slo === slo)?.actual ?? null)),
      cell(s.requests), cell(s.failures), String(s.steady.windows), s.saturated
    ])
  }
}

/** The run's setting in sentences: target, load, SLOs, calibration, prediction, step shape, budget. */
export function settingLines(f: CapacityFile): string[] {
  const out = [
    `Target: ${f.target.variant} (${f.target.kind}) at ${f.target.url || 'not started'}; ${f.load.method} ${f.load.path}, ` +
    `${f.mode === 'users' ? `closed loop, users wait ${f.load.wait}` : 'open loop at a fixed rate'}, timeout ${fmtSec(f.load.timeout_sec)}.`,
    `SLO: ${f.slo.join(', ')}, judged on each step's steady part. Bounds: ${loadText(f.bounds.lowest, f.unit)} to ${loadText(f.bounds.highest, f.unit)}.`
  ]
  const cal = f.calibration
  if (cal) {
    out.push(`Calibration: ${cal.requests} sequential requests, service time ${fmtMs(cal.service_ms)} (median, the first left out)` +
      `${cal.cpu_ms_per_request === null ? ', CPU not sampled (external target)' : cal.cpu_ms_per_request === 0 ? ', CPU per request lost in the started processes\' idle CPU (too small to measure here)' : `, ${fmtMs(cal.cpu_ms_per_request, 2)} of CPU per request in the started processes`}` +
      `${cal.run_slots !== null ? `, ${cell(cal.run_slots)} run slots` : ''}; ${cal.cores} cores.`)
  }
  if (f.prediction) out.push(`Prediction: ${f.prediction.text}.`)
  if (f.step_shape) {
    const s = f.step_shape
    out.push(`Each step runs ${fmtSec(s.run_sec)}: its first ${s.ramp_sec} s are ramp (` +
      `${f.mode === 'users' ? `users spawn over ${fmtSec(s.spawn_sec)}, then each completes a cycle of up to ${fmtSec(s.settle_sec)}` : `first responses up to ${fmtSec(s.settle_sec)}`}` +
      `), left out; the whole seconds after it, up to the run time, are measured.`)
  }
  out.push(`Search: ${f.steps.length} steps in ${fmtSec(f.elapsed_sec)} of a ${fmtSec(f.budget_sec)} budget (${fmtPct((100 * f.elapsed_sec) / f.budget_sec, 0)}); ` +
    `ended: ${STOP_TEXT[f.stop_reason]}.`)
  if (f.error) out.push(`Error: ${f.error}`)
  return out
}

const STOP_TEXT: Record<CapacityFile['stop_reason'], string> = {
  'converged': 'the bracket between passing and failing loads was within 5%',
  'upper-bound': 'the upper bound passed',
  'lowest-failed': 'the lowest load failed',
  'budget': 'the budget was spent',
  'interrupted': 'interrupted'
}
