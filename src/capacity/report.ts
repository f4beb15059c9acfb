// Writes a capacity folder's capacity.json, capacity.md (+ charts/*.svg) and capacity.html; and rebuilds
// them from the saved files (`floodgate report <dir>`): each step judged again from the LoadResult its
// generator wrote and its samples, the findings read off the steps again.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError, messageOf } from '../errors.js'
import { checkLoadResult, checkShape, type LoadResult, type Shape } from '../load/index.js'
import type { VariantMeta, VariantSamples } from '../report/bench/data.js'
import { escapeHtml, htmlTable, markdownTable, renderPage, writeJson, writeSvgCharts } from '../report/index.js'
import { capacityCharts } from './charts.js'
import type { CapacityFile, CapacityStep } from './data.js'
import { judgeStep } from './judge.js'
import { NODES_FILE } from './live-steps.js'
import type { NodeTimes } from './node-times.js'
import { parseSlo } from './slo.js'
import { loadText, summarize } from './summary.js'
import { findingTable, settingLines, stepsTable } from './tables.js'

export const CAPACITY_JSON = 'capacity.json'

export interface WrittenCapacity {
  json: string
  markdown: string
  html: string
}

/** A step's analysis in a sentence: the bench verdict of its steady part, and what saturated. */
function stepNote(s: CapacityStep): string {
  const what = `Step ${s.index} (${loadText(s.load, s.unit)}, ${s.purpose}): ${s.verdict}`
  return s.saturated === 'none' ? `${what}.` : `${what}; saturated: ${s.saturated}: ${s.evidence}.`
}

function markdown(f: CapacityFile, charts: { file: string; title: string }[]): string {
  const out = [`# Floodgate capacity: ${f.target.variant}`, '', `**${f.summary}**`, '', markdownTable(findingTable(f)), '',
    `Saturated at the knee: **${f.saturated}**: ${f.saturation.evidence}`, '', '## Setting', '', ...settingLines(f).map((l) => `- ${l}`), '',
    '## Steps', '', 'Figures of each step\'s steady part (its ramp left out); "Asked" is what the load asks for: users / their cycle at the service time, or the rate.', '',
    markdownTable(stepsTable(f)), '']
  for (const s of f.steps) out.push(`- ${stepNote(s)}`)
  out.push('')
  if (charts.length) {
    out.push('## Curves', '')
    for (const c of charts) out.push(`![${c.title}](${c.file})`, '')
  }
  out.push('## Files', '', '`capacity.json` (the findings and every step with its LoadResult); per step, `steps/NN-<load>-<unit>/`: `result.json` ' +
    '(as `floodgate load --json` wrote it), `samples.json` (CPU, memory and /metrics every second), `variant.json`, `nodes.json`, Locust CSVs. ' +
    '`floodgate report <this folder>` rebuilds this report from them.', '')
  return out.join('\n')
}

function html(f: CapacityFile, charts: ReturnType<typeof capacityCharts>): string {
  const cls = f.capacity ? 'good' : 'bad'
  const steps = f.steps.map((s) => `<li>${escapeHtml(stepNote(s))}</li>`).join('')
  return renderPage({
    title: `Floodgate capacity: ${f.target.variant}`,
    subtitle: `${f.created_at}, ${f.slo.join(', ')}, ${f.mode === 'users' ? 'users' : 'rate'} search`,
    lead: [
      { heading: 'Finding', html: `<p class="${cls}">${escapeHtml(f.summary)}</p>${htmlTable(findingTable(f).header, findingTable(f).rows)}` +
        `<p>Saturated at the knee: <b>${escapeHtml(f.saturated)}</b>: ${escapeHtml(f.saturation.evidence)}</p>` },
      { heading: 'Setting', html: `<ul>${settingLines(f).map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>` },
      { heading: 'Steps (steady part of each)', html: htmlTable(stepsTable(f).header, stepsTable(f).rows) + (steps ? `<ul>${steps}</ul>` : '') }
    ],
    charts,
    sections: []
  })
}

export async function writeCapacityReport(dir: string, f: CapacityFile): Promise<WrittenCapacity> {
  const json = join(dir, CAPACITY_JSON)
  writeJson(json, f)
  const charts = capacityCharts(f)
  const files = await writeSvgCharts(join(dir, 'charts'), charts)
  const md = join(dir, 'capacity.md')
  const page = join(dir, 'capacity.html')
  writeFileSync(md, markdown(f, charts.map((c, i) => ({ file: `charts/${files[i]}`, title: c.title }))))
  writeFileSync(page, html(f, charts))
  return { json, markdown: md, html: page }
}

// The fields of capacity.json a rebuild reads; each step's result is checked as a load result file.
const FILE: Shape = {
  fields: {
    slo: { list: 'string' }, unit: 'string', mode: 'string', bounds: { fields: { lowest: 'number', highest: 'number' } },
    calibration: 'any', stop_reason: 'string',
    steps: { list: { fields: { index: 'number', load: 'number', unit: 'string', purpose: 'string', dir: 'string', offered_rps: 'number|null', steady: { fields: { ramp_sec: 'number' } }, result: 'any' } } }
  }
}

function readJsonFile<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T
  } catch (err) {
    throw new ConfigError(`${path}: cannot read the capacity results: ${messageOf(err)}`, { file: path })
  }
}

function optional<T>(path: string): T | undefined {
  return existsSync(path) ? readJsonFile<T>(path) : undefined
}

export function isCapacityFolder(dir: string): boolean {
  return existsSync(join(dir, CAPACITY_JSON))
}

/** Reads a capacity folder and judges its steps again from their files. */
export function readCapacity(dir: string): CapacityFile {
  const path = join(dir, CAPACITY_JSON)
  const saved = readJsonFile<CapacityFile>(path)
  checkShape(saved, FILE, '', (field, why) => {
    throw new ConfigError(`${path}: cannot read the capacity results: field "${field}" ${why}`, { file: path, field })
  })
  const slos = saved.slo.map(parseSlo)
  const serviceMs = saved.calibration?.service_ms ?? null
  const steps = saved.steps.map((s, i) => {
    const stepDir = join(dir, s.dir)
    const result: LoadResult = checkLoadResult(s.result, `${path} (steps[${i}].result)`)
    const meta = optional<VariantMeta>(join(stepDir, 'variant.json'))
    if (!meta) throw new ConfigError(`${stepDir}: missing variant.json of step ${s.index}`, { file: stepDir })
    return judgeStep(
      { index: s.index, load: s.load, unit: s.unit, purpose: s.purpose, dir: s.dir, rampSec: s.steady.ramp_sec, offeredRps: s.offered_rps },
      { result, meta, samples: optional<VariantSamples>(join(stepDir, 'samples.json')), nodes: optional<NodeTimes>(join(stepDir, NODES_FILE)) },
      slos, serviceMs)
  })
  const { capacity: _c, first_failing: _f, saturated: _s, saturation: _n, summary: _m, steps: _t, ...header } = saved
  return summarize(header, steps)
}

/** `floodgate report <capacity folder>`: rebuilds capacity.json, .md and .html from the saved steps. */
export async function rewriteCapacityReport(dir: string): Promise<{ file: CapacityFile; written: WrittenCapacity }> {
  const file = readCapacity(dir)
  return { file, written: await writeCapacityReport(dir, file) }
}
