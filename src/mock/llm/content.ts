// The mock model's deterministic reply, and token counts. A token is a word-ish unit: a run of
// non-whitespace characters. The reply is "Mock answer to: " + the words of the last user message,
// continued with lorem ipsum words (cycled), cut to exactly N tokens, N = max_completion_tokens or
// max_tokens, else 16. Prompt tokens are the words of every message's text. The same request always gets
// the same reply and the same usage, streamed or not.
import type { ChatMessage } from './validate.js'

export const defaultReplyTokens = 16

const lorem = (
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et ' +
  'dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ' +
  'ea commodo consequat.'
).split(' ')

const wordPattern = /\S+/g

export function words(text: string): string[] {
  return text.match(wordPattern) ?? []
}

/** The text of a message's content: a string, or the text parts of an array of parts. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  let text = ''
  for (const part of content) {
    if (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string') {
      text += (text ? ' ' : '') + (part as { text: string }).text
    }
  }
  return text
}

export function promptTokens(messages: ChatMessage[]): number {
  let n = 0
  for (const m of messages) n += words(contentText(m.content)).length
  return n
}

/** The reply's tokens; joined with single spaces they make the reply text. */
export function replyTokens(messages: ChatMessage[], maxTokens: number | undefined): string[] {
  const n = maxTokens ?? defaultReplyTokens
  let lastUser = ''
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i].role === 'user') {
      lastUser = contentText(messages[i].content)
      break
    }
  }
  const out = ['Mock', 'answer', 'to:', ...words(lastUser)].slice(0, n)
  for (let i = 0; out.length < n; i++) out.push(lorem[i % lorem.length])
  return out
}
