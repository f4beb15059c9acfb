// What `floodgate capacity` prints: the calibration and prediction, one line per step when it ends (on a
// terminal, a live line rewritten in place while it runs), then the finding.
import type { LoadProgress } from '../bench/index.js'
import { fmtMs, fmtRate, fmtSec } from '../report/index.js'
import type { CapacityFile, CapacityStep } from './data.js'
import type { Calibration, Prediction } from './predict.js'
import type { StepShape } from './step-shape.js'
import { loadText } from './summary.js'
import { sloFigure } from './tables.js'

const ms = (v: number | null) => (v === null ? '—' : fmtMs(v, 0))

export function clock(sec: number): string {
  const s = Math.max(0, Math.round(sec))
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`
}

export function calibrationLine(c: Calibration, p: Prediction, shape: StepShape): string {
  const cpu = c.cpuMsPerRequest === null ? 'CPU not sampled'
    : c.cpuMsPerRequest === 0 ? 'CPU per request lost in the processes\' idle CPU (too small to measure here)' : `${fmtMs(c.cpuMsPerRequest, 2)} of CPU per request`
  const slots = c.runSlots === null ? '' : `, ${c.runSlots} run slots`
  return `calibration: ${c.requests} sequential requests, service time ${fmtSec(c.serviceSec)}, ${cpu}${slots}\n` +
    `prediction: ${p.text}\n` +
    `each step: ${fmtSec(shape.runSec)}, its first ${shape.rampSec} s ramp (left out of its statistics)`
}

export function stepLine(s: CapacityStep, elapsedSec: number, budgetSec: number): string {
  const verdict = s.status === 'interrupted' ? 'interrupted' : s.passed ? 'pass' : 'FAIL'
  const slos = s.slo.map((o) => `${o.slo}: ${sloFigure(o.slo, o.actual)}`).join(', ')
  return `step ${String(s.index).padStart(2)}  ${loadText(s.load, s.unit).padStart(12)}  ${s.purpose.padEnd(11)}  ${verdict.padEnd(11)}  ` +
    `${fmtRate(s.achieved_rps).padStart(13)}  p50 ${ms(s.p50_ms).padStart(9)}  p99 ${ms(s.p99_ms).padStart(9)}  [${slos}]  ` +
    `${clock(elapsedSec)} of ${clock(budgetSec)}`
}

export function progressLine(index: number, load: string, p: LoadProgress): string {
  return `step ${String(index).padStart(2)}  ${load.padStart(12)}  ${Math.round(p.elapsedSec)}/${Math.round(p.totalSec)} s  users ${p.users}  ` +
    `rps ${p.rps.toFixed(1)}  p50 ${ms(p.p50)}  p95 ${ms(p.p95)}  failures ${p.failures}`
}

export function findingLines(f: CapacityFile): string[] {
  const out = [`capacity: ${f.summary}`]
  if (f.capacity || f.first_failing) out.push(`saturated at the knee: ${f.saturated}: ${f.saturation.evidence}`)
  return out
}

/** One line per step; on a terminal the running step's progress is rewritten in place above nothing. */
export class StepPrinter {
  private live = false

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {}

  progress(text: string): void {
    if (!this.out.isTTY) return
    this.out.write(`\r\x1b[2K${text}`)
    this.live = true
  }

  line(text: string): void {
    if (this.live) this.out.write('\r\x1b[2K')
    this.live = false
    this.out.write(`${text}\n`)
  }
}
