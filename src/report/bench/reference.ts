// The reference figures a bench report shows beside its own: the study's published ones and PromptFlow's
// serving measured on a machine like this one. Fixed data, so each table carries where it comes from, when
// and on what machine: a reader must never take it for this run's measurements.
import { fmtCount } from './format.js'
import { PROMPTFLOW_ON_2_CORES, PROMPTFLOW_PROVENANCE, STUDY_PROVENANCE, studyColumnsFor, type Provenance } from './study.js'
import { studyTable, type Table } from './tables.js'

export interface Reference {
  id: string
  title: string
  provenance: Provenance
  table: Table
}

function promptflowTable(users: number): Table {
  const rows = PROMPTFLOW_ON_2_CORES.filter((r) => r.users === users)
  const list = rows.length ? rows : PROMPTFLOW_ON_2_CORES
  return {
    header: ['Run', 'async req/s', 'async % of ideal', 'async p99', 'async CPU / request', 'async failures', 'sync req/s', 'sync median'],
    rows: list.map((r) => [r.run, r.asyncRps.toFixed(1), `${r.asyncPercentOfIdeal}%`, `${fmtCount(r.asyncP99Ms)} ms`,
      r.asyncCpuMsPerRequest === undefined ? '—' : `${r.asyncCpuMsPerRequest} ms`, r.asyncFailures, r.syncRps.toFixed(1), `${fmtCount(r.syncMedianMs)} ms`])
  }
}

/** The references that fit a run of `users` users (the study's 500-user archive or its 1000-user run). */
export function references(users: number): Reference[] {
  return [
    { id: 'study', title: 'The study\'s published figures', provenance: STUDY_PROVENANCE, table: studyTable(studyColumnsFor(users)) },
    { id: 'promptflow', title: 'PromptFlow\'s pf serve measured on a 2-core machine', provenance: PROMPTFLOW_PROVENANCE, table: promptflowTable(users) }
  ]
}

/** "Not measured in this run. Source: ...; date: ...; machine: ...". */
export function provenanceText(p: Provenance): string {
  return `Reference, not measured in this run. Source: ${p.source}; date: ${p.date}; machine: ${p.machine}.`
}
