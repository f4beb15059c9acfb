// Answers a valid chat request, timed like a model: token k (from 0) is ready at ttft + k / tokensPerSec.
// Non-streaming: one chat.completion when the last token is ready. Streaming (SSE): the first chunk carries
// the role and the first token at ttft, then one content delta per token as it is ready, then a chunk with
// finish_reason "stop", a usage chunk (choices: []) when stream_options.include_usage, and `data: [DONE]`.
// One timer per stream at a time, kept on the exchange so a client that leaves stops it.
import type { FastifyReply } from 'fastify'
import type { TrackedRequest } from '../tracked-request.js'
import { promptTokens, replyTokens } from './content.js'
import type { ChatRequest } from './validate.js'

export interface Timing {
  ttftMs: number
  tokenMs: number
}

export function answerChat(req: ChatRequest, id: string, timing: Timing, reply: FastifyReply, exchange: TrackedRequest): void {
  const tokens = replyTokens(req.messages, req.maxTokens)
  const usage = { prompt_tokens: promptTokens(req.messages), completion_tokens: tokens.length, total_tokens: 0 }
  usage.total_tokens = usage.prompt_tokens + usage.completion_tokens
  const created = Math.floor(Date.now() / 1000)
  if (req.stream) {
    streamChat(req, id, created, tokens, usage, timing, reply, exchange)
    return
  }
  const body = JSON.stringify({
    id,
    object: 'chat.completion',
    created,
    model: req.model,
    choices: [{ index: 0, message: { role: 'assistant', content: tokens.join(' '), refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage,
    system_fingerprint: 'fp_floodgate_mock'
  })
  exchange.timer = setTimeout(() => {
    exchange.timer = null
    exchange.sentTokens(tokens.length)
    reply.type('application/json').send(body)
  }, lastTokenMs(tokens.length, timing))
}

function lastTokenMs(count: number, t: Timing): number {
  return t.ttftMs + Math.max(0, count - 1) * t.tokenMs
}

function streamChat(
  req: ChatRequest, id: string, created: number, tokens: string[], usage: object,
  timing: Timing, reply: FastifyReply, exchange: TrackedRequest
): void {
  const head = `data: {"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(req.model)},"system_fingerprint":"fp_floodgate_mock","choices":[`
  const delta = (d: string, finish: string) => `${head}{"index":0,"delta":${d},"logprobs":null,"finish_reason":${finish}}]}\n\n`
  let ending = delta('{}', '"stop"')
  if (req.includeUsage) ending += `${head}],"usage":${JSON.stringify(usage)}}\n\n`
  ending += 'data: [DONE]\n\n'

  reply.hijack()
  const res = reply.raw
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' })
  res.flushHeaders()

  const started = performance.now()
  let next = 0
  const tick = () => {
    exchange.timer = null
    const elapsed = performance.now() - started
    let out = ''
    const from = next
    // At least one token per tick (the tick was set for it), plus any that fell due meanwhile.
    do {
      const text = next === 0 ? tokens[0] : ' ' + tokens[next]
      const role = next === 0 ? '"role":"assistant",' : ''
      out += delta(`{${role}"content":${JSON.stringify(text)}}`, 'null')
      next++
    } while (next < tokens.length && timing.ttftMs + next * timing.tokenMs <= elapsed + 1)
    exchange.sentTokens(next - from)
    if (next >= tokens.length) {
      res.end(out + ending)
      return
    }
    res.write(out)
    exchange.timer = setTimeout(tick, Math.max(0, timing.ttftMs + next * timing.tokenMs - (performance.now() - started)))
  }
  exchange.timer = setTimeout(tick, timing.ttftMs)
}
