// What an llm node's call tells its run's trace (model, tokens, finish reasons), in the terms of the
// OpenTelemetry GenAI conventions: exported traces and batch summaries read it from the node's trace.
// The call is handed to the run through the tool context the node receives: the executor, which comes
// after llm on the data's path, gives its contexts noteLlmCall (llm imports nothing of executor).
import { epochNow } from '../clock.js'
import type { ToolContext } from '../tools/index.js'
import type { ChatBody, Endpoint } from './client.js'

/** What an LLM call reported, in the terms of OpenTelemetry's GenAI conventions. */
export interface LlmCall {
  /** gen_ai.provider.name, e.g. openai. */
  provider: string
  /** gen_ai.operation.name, e.g. chat. */
  operation: string
  requestModel?: string
  responseModel?: string
  responseId?: string
  inputTokens?: number
  outputTokens?: number
  finishReasons?: string[]
  stream: boolean
  maxTokens?: number
  temperature?: number
  serverAddress: string
  serverPort: number
  /** Epoch ms: the call's start, and its end (the reply read; for a stream, its last chunk, or its headers until then). */
  startedAt: number
  endedAt?: number
  /** The error's class when it failed (error.type). */
  errorType?: string
}

/** The tool context as an llm node sees it: the executor's records the call in the running node's trace. */
export interface LlmToolContext extends ToolContext {
  noteLlmCall?(call: LlmCall): void
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

/** Starts the record of a call and puts it in the running node's trace. */
export function startCall(endpoint: Endpoint, body: ChatBody, context: LlmToolContext): LlmCall {
  const url = new URL(endpoint.url)
  const call: LlmCall = {
    provider: 'openai',
    operation: 'chat',
    requestModel: typeof body.model === 'string' ? body.model : undefined,
    stream: body.stream === true,
    maxTokens: num(body.max_tokens) ?? num(body.max_completion_tokens),
    temperature: num(body.temperature),
    serverAddress: url.hostname,
    serverPort: Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
    startedAt: epochNow()
  }
  context.noteLlmCall?.(call)
  return call
}

/** Ends the record of a call: when, and the error's class if it failed. A stream ends it again at its [DONE] or failure. */
export function endCall(call: LlmCall, err?: unknown): void {
  call.endedAt = epochNow()
  if (err !== undefined) call.errorType = err instanceof Error ? err.name : 'Error'
}

/** Fills the call from an OpenAI chat.completion reply: model, id, usage, finish reasons. */
export function noteReply(call: LlmCall | undefined, reply: unknown): void {
  if (!call || reply === null || typeof reply !== 'object') return
  const r = reply as { model?: unknown; id?: unknown; usage?: { prompt_tokens?: unknown; completion_tokens?: unknown }; choices?: unknown }
  if (typeof r.model === 'string') call.responseModel = r.model
  if (typeof r.id === 'string') call.responseId = r.id
  call.inputTokens = num(r.usage?.prompt_tokens)
  call.outputTokens = num(r.usage?.completion_tokens)
  if (Array.isArray(r.choices)) {
    const reasons = r.choices.map((c) => (c as { finish_reason?: unknown } | null)?.finish_reason).filter((f): f is string => typeof f === 'string')
    if (reasons.length > 0) call.finishReasons = reasons
  }
}

/**
 * Fills the call from one chat.completion.chunk of a stream as it passes: model and id (every chunk
 * carries them; the first is kept), each choice's finish reason (on its last chunk), and the usage, which
 * a server sends in a chunk of its own at the end when the request asked for it
 * (`stream_options: {include_usage: true}`). Called with every parsed chunk: a few property reads.
 */
export function noteChunk(call: LlmCall, chunk: object): void {
  const c = chunk as { model?: unknown; id?: unknown; usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } | null; choices?: unknown }
  if (call.responseModel === undefined && typeof c.model === 'string') call.responseModel = c.model
  if (call.responseId === undefined && typeof c.id === 'string') call.responseId = c.id
  if (c.usage !== null && typeof c.usage === 'object') {
    call.inputTokens = num(c.usage.prompt_tokens)
    call.outputTokens = num(c.usage.completion_tokens)
  }
  const choices = c.choices
  if (!Array.isArray(choices)) return
  for (let i = 0; i < choices.length; i++) {
    const choice = choices[i] as { index?: unknown; finish_reason?: unknown } | null
    if (typeof choice?.finish_reason !== 'string') continue
    const at = typeof choice.index === 'number' && Number.isInteger(choice.index) && choice.index >= 0 && choice.index < 128 ? choice.index : i
    const reasons = (call.finishReasons ??= [])
    while (reasons.length < at) reasons.push('')
    reasons[at] = choice.finish_reason
  }
}
