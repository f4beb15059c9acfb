// Turns a /score request body into the flow's raw inputs, the way pf serve reads it: a JSON object whose
// keys are the inputs; for a flow with exactly one input, any other JSON value or a body that is not JSON
// at all is that input's value. Types and defaults are the flow's job (CompiledFlow.validateInputs).
import { inexactJsonNumber, type InputDef } from '../flow/index.js'
import { HttpRequestError, messageOf } from '../errors.js'

export function parseScoreBody(text: string | undefined, inputs: readonly InputDef[]): Record<string, unknown> {
  if (text === undefined || text.length === 0) return {}
  let value: unknown
  try {
    value = text.includes('__proto__') ? JSON.parse(text, dropProto) : JSON.parse(text)
  } catch (err) {
    if (inputs.length === 1) return { [inputs[0].name]: text }
    throw new HttpRequestError(
      400,
      `request body is not valid JSON (${messageOf(err)}); a flow with ${describeInputs(inputs)} needs a JSON object whose keys are its inputs`,
      { field: 'body' }
    )
  }
  const inexact = inexactJsonNumber(text)
  if (inexact !== undefined) throw new HttpRequestError(400, `request body: ${inexact}`, { field: 'body' })
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>
  if (inputs.length === 1) return { [inputs[0].name]: value }
  throw new HttpRequestError(
    400,
    `request body must be a JSON object whose keys are the flow inputs; got ${kindOf(value)}, and the flow has ${describeInputs(inputs)}`,
    { field: 'body' }
  )
}

function describeInputs(inputs: readonly InputDef[]): string {
  if (inputs.length === 0) return 'no inputs'
  return `${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')})`
}

function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return `a ${typeof value}`
}

// A key named __proto__ would replace an object's prototype if a tool later copied it with Object.assign.
function dropProto(key: string, value: unknown): unknown {
  return key === '__proto__' ? undefined : value
}
