// `${...}` references, parsed once at load into records the executor resolves without string work.
// Forms: ${inputs.x} (also ${flow.x}), ${node}, ${node.output}, ${node.output.a.b}. Any other value is
// a literal passed as is.

export const LITERAL = 0
export const INPUT = 1
export const NODE = 2

export class Ref {
  constructor(
    readonly kind: typeof LITERAL | typeof INPUT | typeof NODE,
    /** Input name or node name; '' for literals. */
    readonly name: string,
    /** Property path below the input or the node's output; null when none. */
    readonly path: string[] | null,
    /** The literal value (kind LITERAL). */
    readonly value: unknown,
    /** The reference as written, for messages. */
    readonly text: string,
    /** Node index in the plan (kind NODE), set when the graph is built. */
    public index = -1
  ) {}
}

const WHOLE = /^\$\{([^{}]*)\}$/

/** The parsed reference, a literal Ref, or an error message saying what is wrong with its syntax. */
export function parseRef(value: unknown): Ref | string {
  if (typeof value !== 'string') return new Ref(LITERAL, '', null, value, '')
  const m = WHOLE.exec(value.trim())
  if (!m) return new Ref(LITERAL, '', null, value, '')
  const parts = m[1]!.trim().split('.')
  if (parts.some((p) => p === '')) return `malformed reference ${value}`
  const [head, ...rest] = parts
  if (head === 'inputs' || head === 'flow') {
    if (rest.length === 0) return `reference ${value} names no input (expected \${inputs.<name>})`
    return new Ref(INPUT, rest[0]!, rest.length > 1 ? rest.slice(1) : null, undefined, value)
  }
  if (rest.length > 0 && rest[0] !== 'output') {
    return `reference ${value}: expected \${${head}.output} or \${${head}.output.<property>}`
  }
  return new Ref(NODE, head!, rest.length > 1 ? rest.slice(1) : null, undefined, value)
}

/**
 * Follows `path` below `value`. Returns the index in `path` of the first property that is missing, or
 * -1 with the value in `out[0]`.
 */
export function walkPath(value: unknown, path: string[], out: unknown[]): number {
  let current = value
  for (let i = 0; i < path.length; i++) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, path[i]!)) return i
    current = (current as Record<string, unknown>)[path[i]!]
  }
  out[0] = current
  return -1
}
