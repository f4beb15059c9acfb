// Streaming chat replies: Server-Sent Events parsed as they arrive, `chat.completion.chunk` events turned
// into their content deltas, until `data: [DONE]`. A stream that breaks off, ends without [DONE] or
// carries an error event fails the iteration with an UpstreamError; one its consumer leaves early has
// its request cut.
import { UpstreamError } from '../errors.js'
import { describeFailure, excerpt, upstreamError, type CallPlace } from './upstream.js'
import type { Dispatcher } from 'undici'

type Body = Dispatcher.ResponseData['body']

/** Splits SSE text into events' data (the `data:` lines of an event joined by newlines). */
export class SseParser {
  private partial = ''
  private data: string[] = []
  private event = ''

  /** Feeds text; returns the events it completed, as [event type, data]. */
  push(text: string): Array<[string, string]> {
    const done: Array<[string, string]> = []
    const lines = (this.partial + text).split('\n')
    this.partial = lines.pop()!
    for (let line of lines) {
      if (line.endsWith('\r')) line = line.slice(0, -1)
      if (line === '') {
        if (this.data.length > 0) done.push([this.event || 'message', this.data.join('\n')])
        this.data = []
        this.event = ''
      } else if (line.startsWith('data:')) {
        this.data.push(line.slice(line.startsWith('data: ') ? 6 : 5))
      } else if (line.startsWith('event:')) {
        this.event = line.slice(6).trim()
      }
      // Comments (":...") and other fields (id, retry) carry nothing for us.
    }
    return done
  }
}

function errorText(value: unknown): string {
  const error = (value as { error?: unknown }).error
  const message = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : error
  return typeof message === 'string' ? message : JSON.stringify(value)
}

/** The content delta of one chunk event ('' when it carries none). Throws on error events and bad shapes. */
function deltaOf(place: CallPlace, type: string, data: string): string {
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
  if (!Array.isArray(choices)) throw upstreamError(place, `a stream event has no choices (not an OpenAI chat.completion.chunk): ${excerpt(data, 120)}`)
  const content = (choices[0] as { delta?: { content?: unknown } } | undefined)?.delta?.content
  return typeof content === 'string' ? content : ''
}

function ignore(): void {}

export async function* streamContent(place: CallPlace, body: Body): AsyncGenerator<string> {
  const parser = new SseParser()
  let finished = false
  body.setEncoding('utf8')
  try {
    // Not destroyed when the loop returns at [DONE]: the finally below reads the rest of the response so
    // the connection is kept (a plain for-await over the body destroys it, and with it the connection).
    for await (const text of body.iterator({ destroyOnReturn: false }) as AsyncIterable<string>) {
      for (const [type, data] of parser.push(text)) {
        if (data.trim() === '[DONE]') {
          finished = true
          return
        }
        const delta = deltaOf(place, type, data)
        if (delta !== '') yield delta
      }
    }
  } catch (err) {
    if (err instanceof UpstreamError) throw err
    throw upstreamError(place, `the stream broke off: ${describeFailure(err, place.connection.timeoutMs)}`, {}, err)
  } finally {
    // After [DONE] the rest is the end of the response: read it so the connection is kept. Otherwise
    // (consumer gone, failure) cut the request so the server stops generating.
    if (finished) body.dump().catch(() => {})
    else if (!body.destroyed) body.on('error', ignore).destroy() // undici then emits "Request aborted": ours
  }
  throw upstreamError(place, 'the stream ended before data: [DONE] (the reply was cut short)')
}
