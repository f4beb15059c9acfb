// `floodgate load --openai BASE_URL --model M`: streaming chat-completion requests to any
// OpenAI-compatible server (vLLM, Ollama, llama.cpp, the mock), one prebuilt request per prompt, cycled.
// Every request asks for the usage chunk (stream_options.include_usage), whose completion_tokens is the
// output token count when the server sends it.
import { UsageError } from '../errors.js'
import type { ChatPrompt } from './prompts.js'

export interface OpenAiRequestOptions {
  model: string
  maxTokens?: number
}

/** BASE_URL + /chat/completions (a URL already ending so is taken as it is). */
export function chatCompletionsUrl(base: string): string {
  let url: URL
  try {
    url = new URL(base)
  } catch {
    throw new UsageError(`invalid --openai "${base}": expected the server's OpenAI base URL, like http://127.0.0.1:8000/v1`, { flag: '--openai' })
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`invalid --openai "${base}": only http:// and https:// are supported`, { flag: '--openai' })
  }
  const path = url.pathname.replace(/\/+$/, '')
  url.pathname = path.endsWith('/chat/completions') ? path : `${path}/chat/completions`
  return url.href
}

/** The JSON body of one streaming chat completion. */
export function chatBody(prompt: ChatPrompt, o: OpenAiRequestOptions): Buffer {
  const maxTokens = prompt.maxTokens ?? o.maxTokens
  return Buffer.from(JSON.stringify({
    model: o.model,
    messages: prompt.messages,
    ...(maxTokens !== undefined ? { max_tokens: maxTokens } : {}),
    stream: true,
    stream_options: { include_usage: true }
  }))
}

export const OPENAI_HEADERS: Readonly<Record<string, string>> = { 'content-type': 'application/json', accept: 'text/event-stream' }

/** One dispatch options object per prompt, starting at `offset` (processes start at different prompts). */
export function chatSpecs<T extends { body?: Buffer }>(base: T, prompts: ChatPrompt[], o: OpenAiRequestOptions, offset = 0): (T & { body: Buffer })[] {
  const n = prompts.length
  return prompts.map((_, i) => ({ ...base, body: chatBody(prompts[(i + offset) % n]!, o) }))
}
