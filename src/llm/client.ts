// The OpenAI-compatible chat client of llm nodes, over undici: one keep-alive Pool per origin, shared by
// every node and run in the process. A call is retried on 429/5xx and connection failures (the
// connection's max_retries), each attempt bounded by the connection's timeout (to the response headers,
// then between body chunks), and cut when the run's signal aborts.
import { setTimeout as sleep } from 'node:timers/promises'
import { Pool, type Dispatcher } from 'undici'
import { version } from '../version.js'
import { detached } from '../tool-runtime/index.js'
import { backoffMs, isRetriableError, isRetriableStatus, retryAfterMs } from './retry.js'
import { describeFailure, excerpt, statusError, upstreamError, type CallPlace } from './upstream.js'
import { streamContent } from './stream.js'
import { noteReply } from './call-info.js'
import type { Connection } from './connections.js'
import type { LlmCall } from './call-info.js'

export interface Endpoint extends CallPlace {
  origin: string
  path: string
}

export type ChatBody = Record<string, unknown> & { stream?: boolean }

const pools = new Map<string, Pool>()

function poolFor(origin: string): Pool {
  let pool = pools.get(origin)
  if (!pool) {
    pool = new Pool(origin)
    pools.set(origin, pool)
  }
  return pool
}

/** The chat completions endpoint of a connection, for a node. */
export function chatEndpoint(connection: Connection, node: string): Endpoint {
  const url = new URL(`${connection.baseUrl}/chat/completions`)
  return { node, connection, url: url.href, origin: url.origin, path: `${url.pathname}${url.search}` }
}

/** Closes the shared pools (tests, shutdown). Calls made afterwards open new ones. */
export async function closeLlmPools(): Promise<void> {
  const all = [...pools.values()]
  pools.clear()
  await Promise.all(all.map((p) => p.close()))
}

/** Sends the request, retrying as the connection allows, and resolves with a 2xx response (body unread). */
async function send(endpoint: Endpoint, body: ChatBody, signal: AbortSignal | undefined): Promise<Dispatcher.ResponseData> {
  const { connection } = endpoint
  const payload = JSON.stringify(body)
  const headers = {
    ...connection.headers(),
    'content-type': 'application/json',
    accept: body.stream ? 'text/event-stream' : 'application/json',
    'user-agent': `floodgate/${version}`
  }
  const timeout = connection.timeoutMs
  for (let attempt = 1; ; attempt++) {
    let res: Dispatcher.ResponseData
    try {
      // Outside the node's scope: a connection this opens outlives the run (tool-runtime/detached.ts).
      res = await detached(() => poolFor(endpoint.origin).request({
        path: endpoint.path, method: 'POST', headers, body: payload, signal, headersTimeout: timeout, bodyTimeout: timeout
      }))
    } catch (err) {
      if (signal?.aborted) throw signal.reason
      if (attempt > connection.maxRetries || !isRetriableError(err)) {
        const tries = attempt > 1 ? ` (after ${attempt} attempts)` : ''
        throw upstreamError(endpoint, `${describeFailure(err, timeout)}${tries}`, { attempts: attempt }, err)
      }
      await sleep(backoffMs(attempt - 1), undefined, { signal })
      continue
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return res
    const text = await res.body.text().catch(() => '')
    if (attempt > connection.maxRetries || !isRetriableStatus(res.statusCode)) throw statusError(endpoint, res.statusCode, text, attempt)
    await sleep(retryAfterMs(res.headers) ?? backoffMs(attempt - 1), undefined, { signal })
  }
}

function contentType(res: Dispatcher.ResponseData): string {
  const value = res.headers['content-type']
  return String(Array.isArray(value) ? value[0] : value ?? '')
}

/**
 * What a chat.completion reply gives the flow: the message content, or the whole message when the
 * model called tools or functions (as PromptFlow's llm tool does).
 */
export function replyContent(endpoint: Endpoint, text: string, type: string, call?: LlmCall): unknown {
  let reply: unknown
  try {
    reply = JSON.parse(text)
  } catch {
    throw upstreamError(endpoint, `the reply is not JSON (content-type ${type || 'none'}): ${JSON.stringify(excerpt(text, 120))}`)
  }
  noteReply(call, reply)
  const choice = (reply as { choices?: unknown })?.choices
  const message = Array.isArray(choice) ? (choice[0] as { message?: unknown } | undefined)?.message : undefined
  if (message === null || typeof message !== 'object') {
    throw upstreamError(endpoint, `the reply has no choices[0].message (not an OpenAI chat.completion): ${excerpt(text, 120)}`)
  }
  const m = message as { content?: unknown; tool_calls?: unknown; function_call?: unknown }
  if (typeof m.content === 'string') return m.content
  if (m.tool_calls !== undefined || m.function_call !== undefined) return message
  throw upstreamError(endpoint, `the reply's choices[0].message has no content: ${excerpt(text, 120)}`)
}

/** One non-streaming chat completion: the message content (see replyContent). */
export async function completeChat(endpoint: Endpoint, body: ChatBody, signal?: AbortSignal, call?: LlmCall): Promise<unknown> {
  const res = await send(endpoint, { ...body, stream: false }, signal)
  let text: string
  try {
    text = await res.body.text()
  } catch (err) {
    if (signal?.aborted) throw signal.reason
    throw upstreamError(endpoint, `reading the reply: ${describeFailure(err, endpoint.connection.timeoutMs)}`, {}, err)
  }
  return replyContent(endpoint, text, contentType(res), call)
}

/**
 * A streaming chat completion. Resolves once the server has answered (retries done) with the content
 * chunks as an async iterable; failures after that are thrown by the iteration.
 */
export async function streamChat(endpoint: Endpoint, body: ChatBody, signal?: AbortSignal, call?: LlmCall): Promise<AsyncIterable<string>> {
  const res = await send(endpoint, { ...body, stream: true }, signal)
  const type = contentType(res)
  if (type.includes('text/event-stream')) return streamContent(endpoint, res.body, call)
  // A server that ignores `stream` answers one JSON reply: its content is the one chunk.
  const content = replyContent(endpoint, await res.body.text(), type, call)
  return (async function* one() {
    yield typeof content === 'string' ? content : JSON.stringify(content)
  })()
}
