// Reads one response at a time as a Server-Sent Events stream and times its content events. Each socket
// chunk is stamped when it arrives, before decoding, and every event it completes gets that time.
// eventsource-parser (createParser, no comment callback: keep-alive comments cost nothing) splits the
// text, one TextDecoder in stream mode per response decodes it (a chunk of ASCII bytes, with no
// character left half-decoded before it, is its own text: taken as is, 3x cheaper than the decoder, whose
// output would be the same), and '[DONE]' is checked before any JSON.parse. What counts as content (time to first token starts at the first):
// - OpenAI chunks: choices[0].delta.content, .reasoning_content or .reasoning non-empty, or
//   .tool_calls non-empty; completions: choices[0].text non-empty. Role-only, empty and usage-only
//   chunks never count; usage.completion_tokens, when sent, is the request's output token count.
// - Any other stream (floodgate serve's /score): every data event, except a first event that carries
//   the flow's other outputs: pf serve's format sends them first, then `{"<field>": chunk}` per chunk,
//   so a first event is dropped when the next is a one-key object whose key it does not share.
// An `event: error` (or an OpenAI chunk with "error") fails the request with its message.
import { isAscii } from 'node:buffer'
import { createParser, type EventSourceMessage } from 'eventsource-parser'
import type { FinishedStream, LlmRecorder } from './llm-recorder.js'
import type { StreamMode } from './llm-result.js'

const STREAM = { stream: true }
const DONE = '[DONE]'
const EXCERPT = 200

type Dialect = 'unknown' | 'openai' | 'generic'

function excerpt(text: string): string {
  return text.length > EXCERPT ? `${text.slice(0, EXCERPT)}...` : text
}

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0

/** The text of an OpenAI chunk's first choice, or '' when the chunk carries no content (role, usage, empty). */
function contentOf(chunk: { choices?: unknown }): string | null {
  const choices = chunk.choices
  if (!Array.isArray(choices) || choices.length === 0) return null
  const choice = choices[0] as { delta?: Record<string, unknown>; text?: unknown } | null
  const delta = choice?.delta
  if (delta) {
    if (nonEmpty(delta.content)) return delta.content
    if (nonEmpty(delta.reasoning_content)) return delta.reasoning_content
    if (nonEmpty(delta.reasoning)) return delta.reasoning
    if (Array.isArray(delta.tool_calls) && delta.tool_calls.length > 0) return ''
  }
  return nonEmpty(choice?.text) ? choice.text : null
}

/** The message of an error event's data (an OpenAI or PromptFlow envelope), else the data itself. */
function errorMessage(data: string): string {
  try {
    const body = JSON.parse(data) as { error?: unknown; message?: unknown }
    const error = body?.error
    const message = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : error ?? body?.message
    if (typeof message === 'string') return excerpt(message)
  } catch {
    // Not JSON: the data is the message.
  }
  return excerpt(data)
}

/** The key of a one-key JSON object, else null. */
function onlyKey(data: string): string | null {
  if (data.charCodeAt(0) !== 123) return null // '{': what parses is then an object
  try {
    const keys = Object.keys(JSON.parse(data) as object)
    return keys.length === 1 ? keys[0]! : null
  } catch {
    return null
  }
}

function isOpenAiChunk(data: string): boolean {
  if (data.charCodeAt(0) !== 123) return false
  try {
    const value = JSON.parse(data) as { choices?: unknown; object?: unknown; error?: unknown }
    return Array.isArray(value?.choices) || (typeof value?.object === 'string' && /^(chat\.completion|text_completion)/.test(value.object))
  } catch {
    return false
  }
}

export class StreamReader implements FinishedStream {
  /** This response is read as a stream (2xx, and an event stream or a forced mode). */
  measuring = false
  startedAt = 0
  firstAt = 0
  lastAt = 0
  contentEvents = 0
  maxGapMs = 0
  usageTokens = -1
  promptTokens = -1
  /** Why the stream failed although its transport did not: an error event, or a chunk we cannot read. */
  error: string | null = null
  /** The content text of OpenAI chunks, kept only when asked (a scenario reading its reply). */
  text: string[] | null = null
  private now = 0
  private done = false
  private dialect: Dialect = 'unknown'
  private events = 0
  private pendingAt = -1
  private firstKey: string | null = null
  private readonly decoder = new TextDecoder()
  /** The decoder may hold the first bytes of a character (the last chunk it decoded ended in a non-ASCII byte). */
  private decoderHolds = false
  private readonly parser = createParser({ onEvent: (e) => this.onEvent(e) })

  constructor(private readonly mode: StreamMode, private readonly recorder: LlmRecorder, private readonly keepText = false) {}

  /** A new request: whatever the previous response left half-parsed is dropped. */
  reset(): void {
    if (!this.measuring) return
    this.measuring = false
    this.parser.reset()
    this.decoder.decode()
    this.decoderHolds = false
  }

  /** The response started: decides whether it is read as a stream. */
  begin(startedAt: number, status: number, contentType: string): void {
    this.startedAt = startedAt
    this.firstAt = this.lastAt = this.maxGapMs = 0
    this.contentEvents = this.events = 0
    this.usageTokens = this.promptTokens = this.pendingAt = -1
    this.error = this.firstKey = null
    this.done = false
    this.dialect = this.mode === 'openai' ? 'openai' : 'unknown'
    if (this.keepText) this.text = []
    this.measuring = status >= 200 && status < 300 && this.mode !== 'none' &&
      (this.mode !== 'auto' || contentType.startsWith('text/event-stream'))
  }

  /** Bytes of the body, received at `now` (performance.now()). */
  feed(chunk: Buffer, now: number): void {
    this.now = now
    if (!this.decoderHolds && isAscii(chunk)) {
      this.parser.feed(chunk.toString('latin1'))
      return
    }
    this.decoderHolds = chunk.length > 0 && chunk[chunk.length - 1]! >= 0x80
    this.parser.feed(this.decoder.decode(chunk, STREAM))
  }

  /** The body ended cleanly at `now`: a last event without its blank line still counts (as vLLM accepts it). */
  end(now: number): void {
    this.now = now
    this.parser.feed(`${this.decoderHolds ? this.decoder.decode() : ''}\n\n`)
    this.decoderHolds = false
    if (this.pendingAt >= 0) this.content(this.pendingAt)
    this.pendingAt = -1
  }

  /** Why a stream whose transport completed failed, or null when it succeeded. */
  failure(): string | null {
    if (this.error !== null) return this.error
    return this.contentEvents === 0 ? 'no content event in the stream' : null
  }

  private onEvent(e: EventSourceMessage): void {
    if (this.done || this.error !== null) return
    const data = e.data
    if (e.event !== undefined && e.event.trim() === 'error') {
      this.error = `error event: ${errorMessage(data)}`
      return
    }
    if (data === DONE || (data.length < 12 && data.trim() === DONE)) {
      this.done = true
      return
    }
    if (this.dialect === 'unknown') this.dialect = isOpenAiChunk(data) ? 'openai' : 'generic'
    if (this.dialect === 'openai') this.openAiEvent(data)
    else this.genericEvent(data)
  }

  private openAiEvent(data: string): void {
    let chunk: { error?: unknown; usage?: { completion_tokens?: unknown; prompt_tokens?: unknown } | null; choices?: unknown }
    try {
      chunk = JSON.parse(data) as typeof chunk
    } catch {
      this.error = `an event is not JSON: ${excerpt(data)}`
      return
    }
    if (chunk === null || typeof chunk !== 'object') {
      this.error = `an event is not an OpenAI chunk: ${excerpt(data)}`
      return
    }
    if (chunk.error !== undefined && chunk.error !== null) {
      this.error = `error event: ${errorMessage(data)}`
      return
    }
    const usage = chunk.usage
    if (usage && typeof usage.completion_tokens === 'number') {
      this.usageTokens = usage.completion_tokens
      if (typeof usage.prompt_tokens === 'number') this.promptTokens = usage.prompt_tokens
    }
    const content = contentOf(chunk)
    if (content === null) return
    if (this.text) this.text.push(content)
    this.content(this.now)
  }

  private genericEvent(data: string): void {
    const n = this.events++
    if (n === 0) {
      // Held until the next event says whether it was a chunk or the flow's other outputs.
      this.pendingAt = this.now
      this.firstKey = onlyKey(data)
    } else {
      if (n === 1) {
        const key = onlyKey(data)
        if (key === null || key === this.firstKey) this.content(this.pendingAt)
        this.pendingAt = -1
      }
      this.content(this.now)
    }
  }

  private content(at: number): void {
    if (this.contentEvents === 0) {
      this.firstAt = at
      this.recorder.firstToken(at - this.startedAt)
    } else {
      const gap = at - this.lastAt
      if (gap > this.maxGapMs) this.maxGapMs = gap
      this.recorder.nextToken(gap)
    }
    this.lastAt = at
    this.contentEvents++
  }
}
