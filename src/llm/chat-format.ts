// PromptFlow's chat format: a rendered prompt is split into messages at heading lines `# system:`,
// `# user:`, `# assistant:`, `# function:` and `# tool:` (case-insensitive, the `#` optional, as
// promptflow.tools.common.parse_chat). As there, text before the first heading is an error: the chat API
// takes messages, and guessing a role for stray text would hide a broken template.
import { TemplateError } from '../errors.js'

export type ChatRole = 'system' | 'user' | 'assistant' | 'function' | 'tool'

export interface ChatMessage {
  role: ChatRole
  content: string
  /** function messages: the function's name. */
  name?: string
  /** tool messages: the call they answer. */
  tool_call_id?: string
}

const ROLES = 'system|user|assistant|function|tool'
const HEADING = new RegExp(`^[ \\t]*#?[ \\t]*(${ROLES})[ \\t]*:[ \\t]*$`, 'gim')
// Input values must not add messages: a user who types "# system:" in a question stays in the user
// message. Headings in values get this mark before the role word, removed again after the split.
const ESCAPE = '\uE000'
const VALUE_HEADING = new RegExp(`^([ \\t]*#?[ \\t]*)(${ROLES})([ \\t]*:[ \\t]*)$`, 'gim')
const HAS_VALUE_HEADING = new RegExp(VALUE_HEADING.source, 'im')
const ESCAPES = new RegExp(ESCAPE, 'g')

/** `value` with role headings in its strings neutralised (deeply, copying only what changes). */
export function escapeRoleHeadings(value: unknown): unknown {
  if (typeof value === 'string') return HAS_VALUE_HEADING.test(value) ? value.replace(VALUE_HEADING, `$1${ESCAPE}$2$3`) : value
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null
    value.forEach((item, i) => {
      const escaped = escapeRoleHeadings(item)
      if (escaped !== item) (copy ??= value.slice())[i] = escaped
    })
    return copy ?? value
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    let copy: Record<string, unknown> | null = null
    for (const [key, item] of Object.entries(value)) {
      const escaped = escapeRoleHeadings(item)
      if (escaped !== item) (copy ??= { ...value })[key] = escaped
    }
    return copy ?? value
  }
  return value
}

const FUNCTION_BODY = /^\s*#{0,2}\s*name:\s*\n\s*(\S+)\s*\n\s*#{0,2}\s*content:\s*\n([\s\S]*)$/i
const TOOL_BODY = /^\s*#{0,2}\s*tool_call_id:\s*\n\s*(\S+)\s*\n\s*#{0,2}\s*content:\s*\n([\s\S]*)$/i

/** Names the template in errors: the node and its file. */
export interface ChatSource {
  place: string
  node: string
}

function message(role: ChatRole, body: string, source: ChatSource): ChatMessage {
  if (role === 'function' || role === 'tool') {
    const m = (role === 'function' ? FUNCTION_BODY : TOOL_BODY).exec(body)
    const key = role === 'function' ? 'name' : 'tool_call_id'
    if (!m) {
      throw new TemplateError(`${source.place}: a "# ${role}:" message must read "${key}:" then the value on its own line, then "content:" and the content`, { node: source.node })
    }
    return { role, [key]: m[1]!, content: m[2]!.replace(ESCAPES, '').trim() }
  }
  return { role, content: body.replace(ESCAPES, '').trim() }
}

function preview(text: string): string {
  const line = text.trim().split('\n')[0]!
  return JSON.stringify(line.length > 60 ? `${line.slice(0, 60)}...` : line)
}

/** Splits a rendered chat prompt into messages. Throws TemplateError naming the node and template. */
export function parseChat(text: string, source: ChatSource): ChatMessage[] {
  const messages: ChatMessage[] = []
  let role: ChatRole | null = null
  let start = 0
  HEADING.lastIndex = 0
  for (let m = HEADING.exec(text); m !== null; m = HEADING.exec(text)) {
    const body = text.slice(start, m.index)
    if (role) messages.push(message(role, body, source))
    else if (body.trim() !== '') throw beforeHeading(body, source)
    role = m[1]!.toLowerCase() as ChatRole
    start = m.index + m[0].length
  }
  const rest = text.slice(start)
  if (role) messages.push(message(role, rest, source))
  else if (rest.trim() !== '') throw beforeHeading(rest, source)
  if (messages.length === 0) throw new TemplateError(`${source.place}: rendered to no messages (expected headings such as "# system:" and "# user:")`, { node: source.node })
  return messages
}

function beforeHeading(text: string, source: ChatSource): TemplateError {
  return new TemplateError(
    `${source.place}: text ${preview(text)} comes before any role heading; the chat API needs the prompt split into messages by lines "# system:", "# user:" or "# assistant:"`,
    { node: source.node }
  )
}
