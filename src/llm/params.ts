// The inputs of an llm node that are chat API parameters (PromptFlow's llm tool signature plus
// OpenAI's newer ones); every other input is a template variable. Literal values are checked at flow
// load, referenced ones at each call. Empty values ('' or null, common in ported PromptFlow yaml) are
// left out of the request.

type Check = (value: unknown) => string | null

function numberIn(min: number, max: number): Check {
  return (v) => (typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? null : `expected a number from ${min} to ${max}`)
}

function integerFrom(min: number): Check {
  return (v) => (Number.isInteger(v) && (v as number) >= min ? null : `expected an integer of at least ${min}`)
}

const isString: Check = (v) => (typeof v === 'string' && v !== '' ? null : 'expected a non-empty string')
const isObject: Check = (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? null : 'expected a mapping')
const isList: Check = (v) => (Array.isArray(v) ? null : 'expected a list')
const isStop: Check = (v) => (typeof v === 'string' || (Array.isArray(v) && v.every((s) => typeof s === 'string')) ? null : 'expected a string or a list of strings')
const isChoice: Check = (v) => (typeof v === 'string' || (v !== null && typeof v === 'object') ? null : 'expected a string or a mapping')
const isBool: Check = (v) => (typeof v === 'boolean' ? null : 'expected true or false')
const anything: Check = () => null

const CHECKS: Record<string, Check> = {
  model: isString,
  temperature: numberIn(0, 2),
  top_p: numberIn(0, 1),
  n: integerFrom(1),
  stream: isBool,
  stop: isStop,
  max_tokens: integerFrom(1),
  max_completion_tokens: integerFrom(1),
  presence_penalty: numberIn(-2, 2),
  frequency_penalty: numberIn(-2, 2),
  logit_bias: isObject,
  user: isString,
  seed: integerFrom(-(2 ** 53)),
  response_format: isObject,
  tools: isList,
  tool_choice: isChoice,
  functions: isList,
  function_call: isChoice,
  parallel_tool_calls: isBool,
  logprobs: isBool,
  top_logprobs: integerFrom(0),
  reasoning_effort: isString,
  stream_options: isObject,
  metadata: anything
}

/** PromptFlow's Azure name for the model. */
const ALIASES: Record<string, string> = { deployment_name: 'model' }

export function isApiParam(name: string): boolean {
  return name in CHECKS || name in ALIASES
}

/** The request field an input sets. */
export function apiField(name: string): string {
  return ALIASES[name] ?? name
}

/** PromptFlow passes booleans through yaml strings at times ("true"); take those too. */
function coerce(field: string, value: unknown): unknown {
  if (field === 'stream' && (value === 'true' || value === 'false')) return value === 'true'
  return value
}

/** Whether a value means "not set". */
export function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === ''
}

/**
 * The value to send for input `name`, or an error message. Empty values are returned as undefined
 * (left out of the request).
 */
export function checkParam(name: string, value: unknown): { value: unknown } | { problem: string } {
  if (isEmpty(value)) return { value: undefined }
  const field = apiField(name)
  const v = coerce(field, value)
  const problem = CHECKS[field]!(v)
  return problem ? { problem: `${problem}, got ${JSON.stringify(value)}` } : { value: v }
}
