// Streaming outputs: a flow output whose value is an async iterable (e.g. an LLM token stream). Sent as
// Server-Sent Events when the client asks for text/event-stream (pf serve's format: one event with the
// non-stream fields, then `data: {"<field>": <chunk>}` per chunk), otherwise collected into plain JSON.
import { Readable } from 'node:stream'
import { mapError } from './errors.js'
import { isStream } from '../flow/stream.js'

/** Names of the outputs that stream, or undefined when none does (the common case, no allocation). */
export function streamFields(outputs: Record<string, unknown>): string[] | undefined {
  let fields: string[] | undefined
  for (const key in outputs) {
    if (isStream(outputs[key])) (fields ??= []).push(key)
  }
  return fields
}

/** Replaces each streaming output by its chunks joined: strings concatenated, anything else as a list. */
export async function collectStreams(
  outputs: Record<string, unknown>,
  fields: string[],
  signal: AbortSignal
): Promise<Record<string, unknown>> {
  const joined: Record<string, unknown> = { ...outputs }
  for (const field of fields) {
    const chunks: unknown[] = []
    for await (const chunk of chunksOf(outputs[field] as AsyncIterable<unknown>, signal)) chunks.push(chunk)
    joined[field] = chunks.every((c) => typeof c === 'string') ? chunks.join('') : chunks
  }
  return joined
}

/**
 * The SSE body for one streaming field. `onEnd` runs once when the stream finishes, fails (with the
 * error) or the client goes away, so the caller can free the run's admission slot; `onFirstChunk` when the field's first
 * chunk is handed to the response (the time to first chunk). A failure mid-stream (headers already
 * sent) becomes an `event: error` carrying the usual error envelope.
 */
export function sseStream(
  outputs: Record<string, unknown>,
  field: string,
  signal: AbortSignal,
  onEnd: (err?: unknown) => void,
  onFirstChunk?: () => void
): Readable {
  return Readable.from(sseEvents(outputs, field, signal, onEnd, onFirstChunk), { objectMode: false })
}

async function* sseEvents(
  outputs: Record<string, unknown>,
  field: string,
  signal: AbortSignal,
  onEnd: (err?: unknown) => void,
  onFirstChunk?: () => void
): AsyncGenerator<string> {
  let failed: unknown
  try {
    const rest: Record<string, unknown> = {}
    let hasRest = false
    for (const key in outputs) {
      if (key !== field) {
        rest[key] = outputs[key]
        hasRest = true
      }
    }
    if (hasRest) yield formatEvent(rest)
    try {
      let first = onFirstChunk
      for await (const chunk of chunksOf(outputs[field] as AsyncIterable<unknown>, signal)) {
        if (first) {
          first()
          first = undefined
        }
        yield formatEvent({ [field]: chunk })
      }
    } catch (err) {
      failed = err
      yield `event: error\ndata: ${JSON.stringify(mapError(err).body)}\n\n`
    }
  } finally {
    onEnd(failed)
  }
}

function formatEvent(data: Record<string, unknown>): string {
  return `data: ${JSON.stringify(data)}\n\n`
}

/** Yields an async iterable's chunks until it ends, or until `signal` aborts (then throws its reason). */
async function* chunksOf(iterable: AsyncIterable<unknown>, signal: AbortSignal): AsyncGenerator<unknown> {
  const iterator = iterable[Symbol.asyncIterator]()
  let onAbort: (() => void) | undefined
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(signal.reason)
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
  })
  aborted.catch(() => {}) // observed through the race below; never unhandled
  let done = false
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), aborted])
      if (next.done) {
        done = true
        return
      }
      yield next.value
    }
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort)
    // Stopped early (abort, client gone): let the producer close its upstream request.
    if (!done) void Promise.resolve(iterator.return?.()).catch(() => {})
  }
}
