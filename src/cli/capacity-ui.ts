// `floodgate capacity --ui`: the status page (src/ui's serveStatusPage) in front of the same search as
// without it. It shows the calibration and prediction, the running step's charts from its load's progress
// lines (the same lines the terminal prints, no extra work per request), each step as it finishes (the
// report's steps table), and the finding; it offers capacity.json/.md/.html and the last step's files.
import {
  calibrationLine, clock, findingLines, loadText, stepsTable, type CapacityOptions, type CapacityRun, type CapacityStep
} from '../capacity/index.js'
import { serveStatusPage, type StatusSession, type UiOptions } from '../ui/index.js'
import { uiBanner } from './ui-flags.js'

type Hooks = Required<Pick<CapacityOptions, 'onCalibrated' | 'onProgress' | 'onStep'>>

export interface CapacityPage {
  /** Called beside the terminal's own hooks. */
  hooks: Hooks
  /** The search ended (run null: it failed with `error`). */
  finished(run: CapacityRun | null, error: string | null): void
  close(): Promise<void>
}

/** "label: value" (the terminal's lines) as a status line. */
function labelled(line: string): { label: string; value: string } {
  const at = line.indexOf(': ')
  return at < 0 ? { label: '', value: line } : { label: line.slice(0, at), value: line.slice(at + 2) }
}

function rowKind(s: CapacityStep): 'ok' | 'failed' | 'interrupted' {
  return s.status === 'interrupted' ? 'interrupted' : s.passed ? 'ok' : 'failed'
}

export async function openCapacityPage(ui: UiOptions, title: string, unit: 'users' | 'rps', budgetSec: number, onStop: () => void): Promise<CapacityPage> {
  const page = await serveStatusPage(ui, title, onStop)
  const session: StatusSession = page.session
  process.stdout.write(uiBanner(page.url, ui.tokenGenerated))
  let setting: { label: string; value: string }[] = []
  let running: { label: string; value: string }[] = []
  const steps: CapacityStep[] = []
  let stepIndex = 0
  const show = (extra: { label: string; value: string }[] = running) => session.status([...setting, ...extra])
  show([{ label: 'search', value: 'calibrating (sequential requests alone on the target)' }])
  return {
    hooks: {
      onCalibrated: (c, p, shape) => {
        setting = calibrationLine(c, p, shape).split('\n').map(labelled)
        show([])
      },
      onProgress: (index, load, p) => {
        if (index !== stepIndex) {
          stepIndex = index
          session.newLoad()
        }
        running = [{ label: 'running', value: `step ${index}, ${loadText(load, unit)}: ${Math.round(p.elapsedSec)} of ${Math.round(p.totalSec)} s` }]
        show()
        session.progress(p)
      },
      onStep: (step, elapsedSec) => {
        steps.push(step)
        const table = stepsTable({ slo: step.slo.map((o) => o.slo), steps })
        session.rows({ columns: table.header, rows: table.rows.map((cells, i) => ({ cells, kind: rowKind(steps[i]!) })) })
        session.loadDone(step.result)
        running = [{ label: 'budget', value: `${clock(elapsedSec)} of ${clock(budgetSec)} spent after step ${step.index}` }]
        show()
      }
    },
    finished: (run, error) => {
      if (run) {
        show(findingLines(run.file).map(labelled))
        session.outputs([
          { label: 'capacity.json (the finding and every step)', path: run.written.json },
          { label: 'Capacity report (HTML)', path: run.written.html },
          { label: 'Capacity report (Markdown)', path: run.written.markdown }
        ])
      }
      session.finished(run ? `capacity search ${run.interrupted ? 'stopped' : 'finished'}: ${run.file.summary}` : `capacity search failed: ${error}`)
    },
    close: page.close
  }
}
