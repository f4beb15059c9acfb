// A batch run's data file: JSON Lines (one JSON object per line) or CSV (a header row, then one row per
// line), as `pf run --data` takes them. Blank lines are skipped; each row keeps its place (line_number,
// from 0, as PromptFlow numbers them) and the file line it came from, for errors. A file that cannot be
// read as data is a UsageError naming the file and the line.
import { readFile } from 'node:fs/promises'
import { extname, relative, resolve } from 'node:path'
import { parse as parseCsv } from 'csv-parse/sync'
import { UsageError, messageOf } from '../errors.js'

export interface DataSet {
  /** Absolute path. */
  file: string
  /** As the user named it. */
  shown: string
  kind: 'jsonl' | 'csv'
  rows: Array<Record<string, unknown>>
  /** The file line (1-based) each row starts on (CSV: ends on), for messages. */
  fileLines: number[]
  /** Every column any row has, in order of first appearance. */
  columns: string[]
}

function dataError(shown: string, line: number | null, message: string): UsageError {
  return new UsageError(`--data ${shown}${line === null ? '' : ` line ${line}`}: ${message}`, { flag: '--data', file: shown, line })
}

function kindOf(shown: string): 'jsonl' | 'csv' {
  const ext = extname(shown).toLowerCase()
  if (ext === '.jsonl') return 'jsonl'
  if (ext === '.csv') return 'csv'
  throw dataError(shown, null, `expected a .jsonl or .csv file, got "${ext || 'no extension'}"`)
}

function typeName(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

function readJsonl(text: string, shown: string): Pick<DataSet, 'rows' | 'fileLines'> {
  const rows: Array<Record<string, unknown>> = []
  const fileLines: number[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim()
    if (line === '') continue
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch (err) {
      throw dataError(shown, i + 1, `not valid JSON (${messageOf(err)})`)
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw dataError(shown, i + 1, `expected a JSON object of column name to value, got ${typeName(value)}`)
    }
    rows.push(value as Record<string, unknown>)
    fileLines.push(i + 1)
  }
  return { rows, fileLines }
}

function readCsv(text: string, shown: string): Pick<DataSet, 'rows' | 'fileLines'> {
  let records: Array<{ record: Record<string, string>; info: { lines: number } }>
  try {
    records = parseCsv(text, { columns: true, bom: true, skip_empty_lines: true, info: true }) as typeof records
  } catch (err) {
    const line = (err as { lines?: unknown }).lines
    throw dataError(shown, typeof line === 'number' ? line : null, messageOf(err).replace(/ (?:on|at) line \d+$/, ''))
  }
  return { rows: records.map((r) => r.record), fileLines: records.map((r) => r.info.lines) }
}

/** Reads a .jsonl or .csv data file. */
export async function readData(path: string): Promise<DataSet> {
  const file = resolve(path)
  const rel = relative(process.cwd(), file)
  const shown = rel && !rel.startsWith('..') ? rel : file
  const kind = kindOf(shown)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw dataError(shown, null, code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder, not a file' : messageOf(err))
  }
  const { rows, fileLines } = kind === 'jsonl' ? readJsonl(text, shown) : readCsv(text, shown)
  if (rows.length === 0) throw dataError(shown, null, kind === 'csv' ? 'no data rows below the header' : 'no data lines')
  const columns = new Set<string>()
  for (const row of rows) for (const key in row) columns.add(key)
  return { file, shown, kind, rows, fileLines, columns: [...columns] }
}
