// Names the file and field at fault in every flow-definition error, e.g.
// `examples/x/flow.dag.yaml: nodes[2].inputs.x: reference to unknown node "nod1"`.
import { relative } from 'node:path'
import { FlowDefinitionError } from '../errors.js'

export class Where {
  /** The file as the user knows it: relative to the working directory when inside it. */
  readonly shown: string

  constructor(readonly file: string) {
    const rel = relative(process.cwd(), file)
    this.shown = rel && !rel.startsWith('..') ? rel : file
  }

  error(field: string, message: string, cause?: unknown): FlowDefinitionError {
    const text = field ? `${this.shown}: ${field}: ${message}` : `${this.shown}: ${message}`
    return new FlowDefinitionError(text, { file: this.file, field }, cause === undefined ? undefined : { cause })
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

/** How a value is named in type errors: null, list, object, or its typeof. */
export function typeName(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'list'
  return typeof value
}
