// A batch run's folder: summary.json (what ran, on what, with which mapping, and what it measured) and
// the line files. Resuming reads them back: the lines with an output record and no error record are done.
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { UsageError, messageOf } from '../errors.js'
import type { LineRecord } from './ordered.js'
import type { StatsJson } from './stats.js'

export interface Summary extends StatsJson {
  status: 'running' | 'completed' | 'interrupted'
  /** Absolute flow folder and data file. */
  flow: string
  data: string
  columnMapping: string[]
  concurrency: number
  startedAt: string
  endedAt: string | null
  /** This session's wall time. */
  durationSec: number
  /** Sessions that wrote this folder: 1, plus one per --resume. */
  sessions: number
  lines: { total: number; succeeded: number; failed: number; notRun: number }
  /** Lines finished per second in this session. */
  linesPerSecond: number
}

export interface RunFolder {
  summary: Summary
  /** Succeeded lines, by line_number, with the record outputs.jsonl holds for them. */
  done: Map<number, LineRecord>
}

function resumeError(dir: string, message: string): UsageError {
  return new UsageError(`--resume ${dir}: ${message}`, { flag: '--resume' })
}

/** Records of a .jsonl file (and of its .partial sibling a crashed session left), by line_number. */
async function records(file: string): Promise<Map<number, string>> {
  const out = new Map<number, string>()
  for (const path of [file, `${file}.partial`]) {
    const text = await readFile(path, 'utf8').catch(() => '')
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue
      try {
        const n = (JSON.parse(line) as { line_number?: unknown }).line_number
        if (typeof n === 'number') out.set(n, line)
      } catch {
        // a line cut short by a crash: that line runs again
      }
    }
  }
  return out
}

export async function readRunFolder(dirArg: string, flowDir: string): Promise<RunFolder> {
  const dir = resolve(dirArg)
  let summary: Summary
  try {
    summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as Summary
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw resumeError(dirArg, code === 'ENOENT' ? 'no summary.json there (not a folder written by floodgate run --data)' : `summary.json: ${messageOf(err)}`)
  }
  if (typeof summary.data !== 'string' || !Array.isArray(summary.columnMapping) || typeof summary.flow !== 'string') {
    throw resumeError(dirArg, 'summary.json lacks data, columnMapping or flow (not written by floodgate run --data)')
  }
  if (resolve(summary.flow) !== resolve(flowDir)) throw resumeError(dirArg, `it is a run of the flow ${summary.flow}, not of ${resolve(flowDir)}`)
  const outputs = await records(join(dir, 'outputs.jsonl'))
  const errors = await records(join(dir, 'errors.jsonl'))
  const done = new Map<number, LineRecord>()
  for (const [line, output] of outputs) if (!errors.has(line)) done.set(line, { output })
  return { summary, done }
}
