// Reads a Server-Sent Events answer as it arrives, noting when each event came, so a test can tell a
// stream that is delivered chunk by chunk from one held back and sent whole at the end.
import { request } from 'undici'

export interface TimedEvent {
  /** The event's text without its closing blank line, e.g. 'data: {"answer":"a"}'. */
  text: string
  /** Milliseconds after the request was sent. */
  at: number
}

export interface TimedStream {
  status: number
  contentType: string
  events: TimedEvent[]
  /** Milliseconds after the request was sent when the body ended. */
  endedAt: number
  /** Whatever followed the last complete event ('' for a well-formed stream). */
  rest: string
}

/** POSTs `body` as JSON with Accept: text/event-stream and reads the answer event by event. */
export async function postForEvents(url: string, body: unknown): Promise<TimedStream> {
  const sentAt = performance.now()
  const res = await request(url, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    headersTimeout: 30_000,
    bodyTimeout: 30_000
  })
  const events: TimedEvent[] = []
  let buffer = ''
  for await (const piece of res.body) {
    const at = performance.now() - sentAt
    buffer += String(piece)
    const parts = buffer.split('\n\n')
    buffer = parts.pop()!
    for (const text of parts) events.push({ text, at })
  }
  return { status: res.statusCode, contentType: String(res.headers['content-type']), events, endedAt: performance.now() - sentAt, rest: buffer }
}
