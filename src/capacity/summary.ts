// capacity.json's findings from its judged steps: the capacity (the highest load whose every run passed,
// below the lowest load that failed a run), the first failing load and the SLO it broke, and what
// saturated there. The search decides which steps run; this reads the answer off them, the same way
// whether the steps were just run or read back by `floodgate report`.
import { fmtCount, fmtMs, fmtRate } from '../report/index.js'
import type { CapacityFile, CapacityPoint, CapacityStep, CapacityUnit } from './data.js'

export type CapacityHeader = Omit<CapacityFile, 'capacity' | 'first_failing' | 'saturated' | 'saturation' | 'summary' | 'steps'>

export function loadText(load: number, unit: CapacityUnit): string {
  return unit === 'users' ? `${fmtCount(load)} user${load === 1 ? '' : 's'}` : fmtRate(load)
}

function point(step: CapacityStep): CapacityPoint {
  return { load: step.load, unit: step.unit, achieved_rps: step.achieved_rps, p50_ms: step.p50_ms, p99_ms: step.p99_ms, step: step.index }
}

const ms = (v: number | null) => (v === null ? '—' : fmtMs(v, 0))

/** "p99<1500 (1,732 ms)": the broken SLO with the figure measured. */
export function brokeText(step: CapacityStep): string {
  const outcome = step.slo.find((o) => o.slo === step.broke)
  if (!outcome) return step.broke ?? 'no steady part to measure'
  const a = outcome.actual
  const value = a === null ? 'nothing measured' : /^(p\d|avg|med|min|max)/.test(outcome.slo) ? ms(a) : String(Math.round(a * 1e4) / 1e4)
  return `${outcome.slo} (${value})`
}

export function summarize(header: CapacityHeader, steps: CapacityStep[]): CapacityFile {
  const complete = steps.filter((s) => s.status === 'ok')
  const failing = complete.filter((s) => !s.passed)
  const firstFailingLoad = failing.length ? Math.min(...failing.map((s) => s.load)) : null
  const passingLoads = complete
    .filter((s) => firstFailingLoad === null || s.load < firstFailingLoad)
    .map((s) => s.load)
    .filter((load) => complete.every((s) => s.load !== load || s.passed))
  const capacityLoad = passingLoads.length ? Math.max(...passingLoads) : null
  const capStep = capacityLoad === null ? null : complete.filter((s) => s.load === capacityLoad).at(-1)!
  const failStep = firstFailingLoad === null ? null : failing.filter((s) => s.load === firstFailingLoad).at(-1)!
  const capacity = capStep && {
    ...point(capStep),
    at_least: firstFailingLoad === null && capStep.load >= header.bounds.highest,
    confirmed: complete.filter((s) => s.load === capStep.load).length >= 2
  }
  const first_failing = failStep && {
    ...point(failStep),
    broke: failStep.broke ?? 'no steady part to measure',
    actual: failStep.slo.find((o) => o.slo === failStep.broke)?.actual ?? null
  }
  const knee = failStep ?? capStep
  const file: CapacityFile = {
    ...header,
    capacity,
    first_failing,
    saturated: knee?.saturated ?? 'none',
    saturation: knee ? { evidence: knee.evidence, step: knee.index } : { evidence: 'no step was measured', step: null },
    summary: '',
    steps
  }
  file.summary = summaryText(file, failStep)
  return file
}

function summaryText(f: CapacityFile, failStep: CapacityStep | null): string {
  const slo = f.slo.join(', ')
  const c = f.capacity
  if (c) {
    const head = `${c.at_least ? 'at least ' : ''}${loadText(c.load, c.unit)} within ${slo}: ${fmtRate(c.achieved_rps)}, p50 ${ms(c.p50_ms)}, p99 ${ms(c.p99_ms)}` +
      `${c.confirmed ? ', confirmed by a repeated step' : ', not confirmed by a repeated step'}`
    if (c.at_least) return `${head}; the upper bound passed (raise --max-${c.unit === 'users' ? 'users' : 'rate'} to look further)`
    return failStep ? `${head}; ${loadText(failStep.load, failStep.unit)} broke ${brokeText(failStep)}; saturated: ${f.saturated}` : head
  }
  if (f.stop_reason === 'lowest-failed' && failStep) {
    return `even the lowest load (${loadText(failStep.load, failStep.unit)}) misses ${slo}: it broke ${brokeText(failStep)}; no capacity within this SLO`
  }
  const why = f.stop_reason === 'interrupted' ? 'interrupted' : f.stop_reason === 'budget' ? 'the budget was spent' : 'the search ended'
  return failStep
    ? `no passing load found (${why}): the lowest load tried, ${loadText(failStep.load, failStep.unit)}, broke ${brokeText(failStep)}`
    : `no load was measured (${why})`
}
