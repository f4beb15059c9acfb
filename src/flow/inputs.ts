// Flow inputs: their declaration in the yaml, the check of each run's values, and `--input name=value`.
import { isDeepStrictEqual } from 'node:util'
import { InputError, UsageError } from '../errors.js'
import { Where, isPlainObject, typeName } from './where.js'
import { DOUBLE_RANGE, SAFE_RANGE } from './json-numbers.js'
import { shown } from '../shown.js'
import type { InputDef, InputType } from './types.js'

const TYPES: readonly InputType[] = ['string', 'int', 'double', 'bool', 'list', 'object']

/** Why `value` is not of `type`, or undefined when it is. */
export function typeMismatch(type: InputType, value: unknown): string | undefined {
  let ok: boolean
  switch (type) {
    case 'string': ok = typeof value === 'string'; break
    case 'int': ok = Number.isSafeInteger(value); break
    case 'double': ok = typeof value === 'number' && Number.isFinite(value); break
    case 'bool': ok = typeof value === 'boolean'; break
    case 'list': ok = Array.isArray(value); break
    case 'object': ok = isPlainObject(value); break
  }
  if (ok) return undefined
  return `expected ${type}, got ${typeof value === 'number' && (type === 'int' || type === 'double') ? numberProblem(value) : typeName(value)}`
}

/** What is wrong with a number given for an int or double input. */
function numberProblem(value: number): string {
  if (!Number.isFinite(value)) return `a number too large to represent (beyond ${DOUBLE_RANGE})`
  if (!Number.isInteger(value)) return 'a fractional number'
  return `${value}, beyond ${SAFE_RANGE}, the largest integer a number holds exactly`
}

export function parseInputDefs(raw: unknown, where: Where): InputDef[] {
  if (raw === undefined || raw === null) return []
  if (!isPlainObject(raw)) throw where.error('inputs', 'expected a mapping of input name to {type, default, ...}')
  const defs: InputDef[] = []
  for (const [name, spec] of Object.entries(raw)) {
    const field = `inputs.${name}`
    if (!isPlainObject(spec)) throw where.error(field, 'expected a mapping such as {type: string, default: ...}')
    // Required, as in PromptFlow: FlowInputDefinition.deserialize reads data["type"] (contracts/flow.py)
    // and pf's FlowInputSchema marks it required (promptflow-devkit _sdk/schemas/_flow.py).
    const type = spec.type
    if (type === undefined || type === null) throw where.error(`${field}.type`, `missing (expected one of ${TYPES.join(', ')})`)
    if (typeof type !== 'string' || !TYPES.includes(type as InputType)) {
      throw where.error(`${field}.type`, `unknown type ${JSON.stringify(type)} (expected one of ${TYPES.join(', ')})`)
    }
    const def: InputDef = { name, type: type as InputType, hasDefault: 'default' in spec }
    const mustBeOfType = (at: string, value: unknown): void => {
      const why = typeMismatch(def.type, value)
      if (why) throw where.error(at, why)
    }
    if (spec.enum !== undefined) {
      if (!Array.isArray(spec.enum) || spec.enum.length === 0) throw where.error(`${field}.enum`, 'expected a non-empty list of allowed values')
      // PromptFlow checks an enum against nothing (contracts/flow.py keeps it as given); here it limits what
      // a run may pass, so a value the type refuses could never be passed: a mistake, caught at load.
      spec.enum.forEach((value, k) => mustBeOfType(`${field}.enum[${k}]`, value))
      def.enum = spec.enum
    }
    if (def.hasDefault) {
      mustBeOfType(`${field}.default`, spec.default)
      if (def.enum && !inEnum(def.enum, spec.default)) throw where.error(`${field}.default`, `${shown(spec.default)} is not one of ${enumText(def.enum)}`)
      def.default = spec.default
    }
    if (typeof spec.description === 'string') def.description = spec.description
    if (spec.is_chat_input === true) def.isChatInput = true
    if (spec.is_chat_history === true) def.isChatHistory = true
    defs.push(def)
  }
  return defs
}

// A list or object input's enum holds lists or objects, equal to a value by content: includes() compares
// them by identity, and no value parsed from a request is the enum's own object.
function inEnum(values: unknown[], value: unknown): boolean {
  if (value === null || typeof value !== 'object') return values.includes(value)
  return values.some((allowed) => isDeepStrictEqual(allowed, value))
}

function enumText(values: unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ')
}

/** Builds the per-request check: defaults applied, types and enums checked, unknown keys ignored. */
export function createInputValidator(defs: InputDef[]): (raw: Record<string, unknown>) => Record<string, unknown> {
  return function validateInputs(raw) {
    const out: Record<string, unknown> = {}
    for (const def of defs) {
      let value = raw[def.name]
      if (value === undefined) {
        if (!def.hasDefault) throw new InputError(`missing required input "${def.name}"`, { input: def.name })
        // A list or object default is copied so that a tool mutating it cannot change later runs.
        value = typeof def.default === 'object' && def.default !== null ? structuredClone(def.default) : def.default
      } else {
        if (typeof value === 'string' && def.type !== 'string') value = fromText(def, value)
        const why = typeMismatch(def.type, value)
        if (why) throw new InputError(`input "${def.name}": ${why}`, { input: def.name })
        if (def.enum && !inEnum(def.enum, value)) {
          throw new InputError(`input "${def.name}": ${shown(value)} is not one of ${enumText(def.enum)}`, { input: def.name })
        }
      }
      out[def.name] = value
    }
    return out
  }
}

// PromptFlow's executor reads every input with ValueType.parse (contracts/tool.py), so a client of pf
// serve may send a number, a bool, a list or an object as text ("12", "True", "[1, 2]"). It is read here
// the same way; the rest of Python's leniency is not copied: int(3.7) is 3 there and refused here, and a
// number for a string input (str(v) there) is refused, as Python's repr of a list or a float is not ours.
function fromText(def: InputDef, text: string): unknown {
  const value = convertText(def, text)
  if (value === undefined) throw new InputError(`input "${def.name}": expected ${def.type}, got a string that is not ${INPUT_TYPE_TEXT[def.type]}`, { input: def.name })
  if (typeof value === 'number' && typeMismatch(def.type, value)) {
    throw new InputError(`input "${def.name}": expected ${def.type}, got a string whose number is ${unrepresentable(value)}`, { input: def.name })
  }
  return value
}

/** Why a number read from a text cannot be an int or double input's value. */
function unrepresentable(value: number): string {
  return Number.isFinite(value) ? `beyond ${SAFE_RANGE}, the largest integer a number holds exactly` : `too large to represent (beyond ${DOUBLE_RANGE})`
}

// Numbers as text, in the notation PromptFlow's int() and float() read: spaces around allowed, and "_"
// between digits (Python's 1_000, 0.000_1). Number() alone also reads 0x10, 0b11 and 0o7, as 16, 3 and 7,
// which float() refuses. The fraction's digits follow a dot that is there: "\d+\.?\d*" could split a long
// run of digits every way, in quadratic time; a "_" between groups leaves one way to split them.
const DIGITS = String.raw`\d+(?:_\d+)*`
const INTEGER = new RegExp(`^[-+]?${DIGITS}$`)
const DECIMAL = new RegExp(`^[-+]?(?:${DIGITS}(?:\\.(?:${DIGITS})?)?|\\.${DIGITS})(?:e[-+]?${DIGITS})?$`, 'i')

function numberText(notation: RegExp, text: string): number | undefined {
  const trimmed = text.trim()
  return notation.test(trimmed) ? Number(trimmed.replaceAll('_', '')) : undefined
}

// As PromptFlow's ValueType.parse reads a bool flow input from text (src/promptflow-core/promptflow/
// contracts/tool.py): `v.lower() in {"true", "false"}`, so True and FALSE are read too, but not 1, yes or
// a padded " true" (no strip there, unlike int() and float()).
function boolText(text: string): boolean | undefined {
  const lower = text.toLowerCase()
  return lower === 'true' ? true : lower === 'false' ? false : undefined
}

/** A text (a command-line value, a CSV cell) as the input's declared type; undefined when it is not one. */
export function convertText(def: InputDef, text: string): unknown {
  switch (def.type) {
    case 'string': return text
    case 'int': return numberText(INTEGER, text)
    case 'double': return numberText(DECIMAL, text)
    case 'bool': return boolText(text)
    case 'list':
    case 'object':
      try {
        const value = JSON.parse(text) as unknown
        return typeMismatch(def.type, value) ? undefined : value
      } catch {
        return undefined
      }
  }
}

export const INPUT_TYPE_TEXT: Record<InputType, string> = {
  string: 'any text',
  int: 'an integer',
  double: 'a number',
  bool: 'true or false (in any case)',
  list: 'a JSON list',
  object: 'a JSON object'
}

/**
 * Turns `--input name=value` strings into input values by each input's declared type: strings as
 * written, int/double as numbers, bool as true/false in any case, list/object as JSON. Throws UsageError naming the flag.
 */
export function parseInputArgs(defs: InputDef[], pairs: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const pair of pairs) {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw new UsageError(`--input ${pair}: expected name=value`, { flag: '--input' })
    const name = pair.slice(0, eq)
    const def = defs.find((d) => d.name === name)
    if (!def) {
      const known = defs.length ? defs.map((d) => d.name).join(', ') : 'none'
      throw new UsageError(`--input ${pair}: the flow has no input "${name}" (inputs: ${known})`, { flag: '--input', input: name })
    }
    const text = pair.slice(eq + 1)
    const value = convertText(def, text)
    if (value === undefined) throw new UsageError(`--input ${pair}: input "${name}" is ${def.type}, expected ${INPUT_TYPE_TEXT[def.type]}`, { flag: '--input', input: name })
    if (typeof value === 'number' && typeMismatch(def.type, value)) {
      throw new UsageError(`--input ${pair}: input "${name}" is ${def.type}, and ${text.trim()} is ${unrepresentable(value)}`, { flag: '--input', input: name })
    }
    out[name] = value
  }
  return out
}
