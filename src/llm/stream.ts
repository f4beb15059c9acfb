// Streaming chat replies: Server-Sent Events parsed as they arrive, `chat.completion.chunk` events turned
// into their content deltas, until `data: [DONE]`. A stream that breaks off, ends without [DONE] or
// carries an error event fails the iteration with an UpstreamError; one its consumer leaves early has
// its request cut.
import { UpstreamError } from '../errors.js'
import { describeFailure, excerpt, upstreamError, type CallPlace } from './upstream.js'
import type { Dispatcher } from 'undici'
import { createParser } from 'eventsource-parser'
import { endCall, noteChunk, type LlmCall } from './call-info.js'

type Body = Dispatcher.ResponseData['body']

/**
 * Server-Sent Events through eventsource-parser (the one SSE parser of this project, also used by
 * `floodgate load`): text in, completed events out as [event type, data], the type "message" when none
 * is given. Comments, ids and retry fields carry nothing for us.
 */
export class SseParser {
  private done: Array<[string, string]> = []
  private readonly parser = createParser({
    onEvent: (e) => {
      this.done.push([e.event?.trim() || 'message', e.data])
    }
  })

  /** Feeds text; returns the events it completed. */
  push(text: string): Array<[string, string]> {
    this.parser.feed(text)
    const events = this.done
    if (events.length > 0) this.done = []
    return events
  }
}

function errorText(value: unknown): string {
  const error = (value as { error?: unknown }).error
  const message = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : error
  return typeof message === 'string' ? message : JSON.stringify(value)
}

/**
 * The content delta of one chunk event ('' when it carries none), noting the chunk in `call` when there
 * is one. Throws on error events and bad shapes.
 */
function deltaOf(place: CallPlace, type: string, data: string, call: LlmCall | undefined): string {
  let chunk: unknown
  try {
    chunk = JSON.parse(data)
  } catch {
    throw upstreamError(place, `a stream event is not JSON: ${JSON.stringify(excerpt(data, 120))}`)
  }
  if (type === 'error' || (chunk !== null && typeof chunk === 'object' && 'error' in chunk)) {
    throw upstreamError(place, `the server sent an error mid-stream: ${excerpt(errorText(chunk))}`)
  }
  const choices = (chunk as { choices?: unknown } | null)?.choices
  if (call !== undefined && chunk !== null && typeof chunk === 'object') noteChunk(call, chunk)
  if (!Array.isArray(choices)) throw upstreamError(place, `a stream event has no choices (not an OpenAI chat.completion.chunk): ${excerpt(data, 120)}`)
  const content = (choices[0] as { delta?: { content?: unknown } } | undefined)?.delta?.content
  return typeof content === 'string' ? content : ''
}

const STREAM = { stream: true }

function ignore(): void {}

/** The content deltas of a streamed reply; `call`, when given, is filled from its chunks (noteChunk). */
export async function* streamContent(place: CallPlace, body: Body, call?: LlmCall): AsyncGenerator<string> {
  const parser = new SseParser()
  // One decoder in stream mode per response: a UTF-8 character split across chunks is decoded whole.
  const decoder = new TextDecoder()
  let finished = false
  try {
    // Not destroyed when the loop returns at [DONE]: the finally below reads the rest of the response so
    // the connection is kept (a plain for-await over the body destroys it, and with it the connection).
    for await (const chunk of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      for (const [type, data] of parser.push(decoder.decode(chunk, STREAM))) {
        if (data.trim() === '[DONE]') {
          finished = true
          if (call !== undefined) endCall(call)
          return
        }
        const delta = deltaOf(place, type, data, call)
        if (delta !== '') yield delta
      }
    }
  } catch (err) {
    throw failed(call, err instanceof UpstreamError ? err : upstreamError(place, `the stream broke off: ${describeFailure(err, place.connection.timeoutMs)}`, {}, err))
  } finally {
    // After [DONE] the rest is the end of the response: read it so the connection is kept. Otherwise
    // (consumer gone, failure) cut the request so the server stops generating.
    if (finished) body.dump().catch(() => {})
    else if (!body.destroyed) body.on('error', ignore).destroy() // undici then emits "Request aborted": ours
  }
  throw failed(call, upstreamError(place, 'the stream ended before data: [DONE] (the reply was cut short)'))
}

/** A stream that fails after its headers: the call's record says so too (its headers had gone well). */
function failed(call: LlmCall | undefined, err: UpstreamError): UpstreamError {
  if (call !== undefined) endCall(call, err)
  return err
}
