// Checks a POST /v1/chat/completions body the way OpenAI's API does, with its messages and codes, so a
// client under test sees the same 400s it would see in production. Returns the fields the mock uses.
import { invalidRequest, type OpenAiError } from './errors.js'

export interface ChatMessage {
  role: string
  content: unknown
}

export interface ChatRequest {
  model: string
  messages: ChatMessage[]
  /** max_completion_tokens, else max_tokens, else undefined. */
  maxTokens: number | undefined
  stream: boolean
  includeUsage: boolean
}

const roles = ['system', 'developer', 'user', 'assistant', 'tool', 'function']
const rolesText = "'system', 'developer', 'user', 'assistant', 'tool', and 'function'"

export function parseChatRequest(raw: unknown): ChatRequest | OpenAiError {
  let body: unknown
  try {
    body = typeof raw === 'string' && raw !== '' ? JSON.parse(raw) : undefined
  } catch {
    body = undefined
  }
  if (body === undefined) {
    return invalidRequest('We could not parse the JSON body of your request. The API expects a JSON payload, but what was sent was not valid JSON.')
  }
  if (!isObject(body)) return invalidRequest(`Invalid type for body: expected an object, but got ${typeName(body)} instead.`, null, 'invalid_type')

  if (body.model === undefined || body.model === null || body.model === '') return invalidRequest('you must provide a model parameter')
  if (typeof body.model !== 'string') return wrongType('model', 'a string', body.model)

  const messages = body.messages
  if (messages === undefined) return invalidRequest("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter')
  if (!Array.isArray(messages)) return wrongType('messages', 'an array', messages)
  if (messages.length === 0) {
    return invalidRequest("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", 'messages', 'empty_array')
  }
  for (let i = 0; i < messages.length; i++) {
    const bad = checkMessage(messages[i], `messages[${i}]`)
    if (bad) return bad
  }

  let maxTokens: number | undefined
  for (const name of ['max_tokens', 'max_completion_tokens']) {
    const v = body[name]
    if (v === undefined || v === null) continue
    if (typeof v !== 'number' || !Number.isInteger(v)) return wrongType(name, 'an integer', v)
    if (v < 1) return invalidRequest(`Invalid '${name}': integer below minimum value. Expected a value >= 1, but got ${v} instead.`, name, 'integer_below_min_value')
    maxTokens = v
  }

  const t = body.temperature
  if (t !== undefined && t !== null) {
    if (typeof t !== 'number') return wrongType('temperature', 'a decimal', t)
    if (t < 0) return invalidRequest(`Invalid 'temperature': decimal below minimum value. Expected a value >= 0, but got ${t} instead.`, 'temperature', 'decimal_below_min_value')
    if (t > 2) return invalidRequest(`Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got ${t} instead.`, 'temperature', 'decimal_above_max_value')
  }

  const stream = body.stream ?? false
  if (typeof stream !== 'boolean') return wrongType('stream', 'a boolean', stream)
  const streamOptions = body.stream_options
  if (streamOptions !== undefined && streamOptions !== null) {
    if (!stream) return invalidRequest("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options', null)
    if (!isObject(streamOptions)) return wrongType('stream_options', 'an object', streamOptions)
  }

  const n = body.n
  if (n !== undefined && n !== null && n !== 1) {
    return invalidRequest(`floodgate mock answers with one choice only: 'n' must be 1, got ${JSON.stringify(n)}.`, 'n', 'unsupported_value')
  }

  return {
    model: body.model,
    messages: messages as ChatMessage[],
    maxTokens,
    stream,
    includeUsage: isObject(streamOptions) && streamOptions.include_usage === true
  }
}

function checkMessage(m: unknown, path: string): OpenAiError | undefined {
  if (!isObject(m)) return wrongType(path, 'an object', m)
  if (m.role === undefined) return invalidRequest(`Missing required parameter: '${path}.role'.`, `${path}.role`, 'missing_required_parameter')
  if (typeof m.role !== 'string' || !roles.includes(m.role)) {
    return invalidRequest(`Invalid value: ${JSON.stringify(m.role).replace(/"/g, "'")}. Supported values are: ${rolesText}.`, `${path}.role`, 'invalid_value')
  }
  const content = m.content
  // An assistant message may carry tool calls and no content.
  if (content === undefined || content === null) {
    if (m.role === 'assistant') return undefined
    return invalidRequest(`Missing required parameter: '${path}.content'.`, `${path}.content`, 'missing_required_parameter')
  }
  if (typeof content !== 'string' && !Array.isArray(content)) return wrongType(`${path}.content`, 'one of a string or an array of objects', content)
  return undefined
}

function wrongType(param: string, expected: string, value: unknown): OpenAiError {
  return invalidRequest(`Invalid type for '${param}': expected ${expected}, but got ${typeName(value)} instead.`, param, 'invalid_type')
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function typeName(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a decimal'
  if (typeof v === 'object') return 'an object'
  return `a ${typeof v}`
}
