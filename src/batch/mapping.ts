// Which value each flow input takes on each data line, with PromptFlow's batch-run rules
// (`pf run --column-mapping`): an input mapped to `${data.<column>}` takes that column, one mapped to any
// other text takes that text on every line; an unmapped input takes its default, else the data's column
// of the same name ("column mapping" > "default value" > "same name column in provided data"). CSV cells
// are text, converted by the input's declared type as `--input` values are.
import { InputError, UsageError } from '../errors.js'
import { convertText, INPUT_TYPE_TEXT, type InputDef } from '../flow/index.js'
import type { DataSet } from './data.js'
import { shown } from '../shown.js'

type Source = { column: string } | { value: unknown } | null

const DATA_REF = /^\$\{data\.(.+)\}$/
const OTHER_REF = /^\$\{(.*)\}$/

function flagError(pair: string, message: string): UsageError {
  return new UsageError(`--column-mapping ${pair}: ${message}`, { flag: '--column-mapping' })
}

/** `name=value` pairs -> input name -> its source. Names must be flow inputs. */
export function parseMapping(pairs: string[], defs: InputDef[]): Map<string, { column: string } | { value: unknown }> {
  const out = new Map<string, { column: string } | { value: unknown }>()
  for (const pair of pairs) {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw flagError(pair, "expected input=value, e.g. question='${data.question}'")
    const name = pair.slice(0, eq)
    const text = pair.slice(eq + 1)
    const def = defs.find((d) => d.name === name)
    if (!def) throw flagError(pair, `the flow has no input "${name}" (inputs: ${defs.map((d) => d.name).join(', ') || 'none'})`)
    const column = DATA_REF.exec(text)
    if (column) {
      out.set(name, { column: column[1]! })
      continue
    }
    if (OTHER_REF.test(text)) {
      throw flagError(pair, `${text} is not supported: a value is \${data.<column>} or a constant (\${run.outputs...} needs a referenced run, which floodgate run has not)`)
    }
    const value = convertText(def, text)
    if (value === undefined) throw flagError(pair, `input "${name}" is ${def.type}, expected ${INPUT_TYPE_TEXT[def.type]}`)
    out.set(name, { value })
  }
  return out
}

function columnList(data: DataSet): string {
  return data.columns.join(', ') || 'none'
}

/** Turns a data row into the flow's raw inputs (defaults are left to the flow's input check). */
export class LineInputs {
  private readonly sources: Array<[InputDef, Source]>

  constructor(defs: InputDef[], mapping: Map<string, { column: string } | { value: unknown }>, private readonly data: DataSet) {
    const columns = new Set(data.columns)
    this.sources = defs.map((def) => {
      const mapped = mapping.get(def.name)
      if (mapped && 'column' in mapped && !columns.has(mapped.column)) {
        throw new UsageError(`--column-mapping ${def.name}=\${data.${mapped.column}}: ${data.shown} has no column "${mapped.column}" (columns: ${columnList(data)})`, { flag: '--column-mapping', input: def.name })
      }
      if (mapped) return [def, mapped]
      if (def.hasDefault) return [def, null]
      if (columns.has(def.name)) return [def, { column: def.name }]
      throw new UsageError(
        `input "${def.name}" has no value: it has no default, ${data.shown} has no column "${def.name}" (columns: ${columnList(data)}), ` +
          `and no --column-mapping ${def.name}='\${data.<column>}' names one`,
        { flag: '--column-mapping', input: def.name }
      )
    })
  }

  /** The raw inputs of row `i`; InputError naming the line and column when the row lacks a mapped column or a CSV cell is not of the input's type. */
  of(i: number): Record<string, unknown> {
    const row = this.data.rows[i]!
    const raw: Record<string, unknown> = {}
    for (const [def, source] of this.sources) {
      if (source === null) continue
      if ('value' in source) {
        raw[def.name] = source.value
        continue
      }
      const cell = row[source.column]
      if (cell === undefined) {
        throw new InputError(`line ${i} (${this.data.shown} line ${this.data.fileLines[i]}): no column "${source.column}" for input "${def.name}"`, { input: def.name })
      }
      raw[def.name] = this.data.kind === 'csv' ? this.cell(def, source.column, cell as string, i) : cell
    }
    return raw
  }

  private cell(def: InputDef, column: string, text: string, i: number): unknown {
    if (def.type === 'string') return text
    const value = convertText(def, text)
    if (value !== undefined) return value
    throw new InputError(`line ${i} (${this.data.shown} line ${this.data.fileLines[i]}): column "${column}" is ${shown(text)}, but input "${def.name}" is ${def.type}, expected ${INPUT_TYPE_TEXT[def.type]}`, { input: def.name })
  }
}
