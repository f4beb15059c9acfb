// POST /score: validate the inputs, pass admission (in flight + FIFO queue, else 503 at once), run the
// flow with an AbortSignal that follows the request's timeout and the client's connection, answer JSON
// or Server-Sent Events. Each request is one ScoreRun object, so the hot path allocates little: no
// closure per step, no timer (it joins the server's deadline list), no listener of its own (the
// response's close listener in exchange.ts tells it when the client left).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { CompiledFlow, RunHandle, RunListener, RunResult, RunTrace } from '../../executor/types.js'
import { epochNow } from '../../clock.js'
import { AbortedError, FloodgateError, HttpRequestError, TimeoutError, messageOf } from '../../errors.js'
import type { Admission } from '../admission.js'
import type { DeadlineEntry, Deadlines } from '../deadlines.js'
import type { ServeMetrics } from '../metrics.js'
import { JSON_TYPE, sendError } from '../errors.js'
import { startedAtOf, watchClose, type CloseWatcher } from '../response-tracker.js'
import { parseScoreBody } from '../body.js'
import { parseAccept } from '../negotiate.js'
import { collectStreams, sseStream, streamFields } from '../stream.js'
import type { RunContext, RunTracer } from '../../trace/index.js'

export interface ScoreContext {
  flow: CompiledFlow
  admission: Admission
  metrics: ServeMetrics
  /** The per-request timeout (queue wait included); null means none. */
  deadlines: Deadlines | null
  bodyLimit: number
  /** --trace: each run becomes a trace. */
  tracer: RunTracer | null
}

export function registerScore(app: FastifyInstance, ctx: ScoreContext): void {
  const notAcceptable = new HttpRequestError(
    406,
    'the Accept header allows neither application/json nor text/event-stream, the only types /score answers with',
    { field: 'Accept' }
  )
  app.post('/score', (request, reply) => {
    const accepts = parseAccept(request.headers.accept)
    if (!accepts.json && !accepts.eventStream) {
      sendError(reply, notAcceptable)
      return
    }
    let inputs: Record<string, unknown>
    try {
      inputs = ctx.flow.validateInputs(parseScoreBody(request.body as string | undefined, ctx.flow.inputs))
    } catch (err) {
      sendError(reply, err)
      return
    }
    new ScoreRun(ctx, request, reply, inputs, accepts.json, accepts.eventStream).start()
  })
}

class ScoreRun implements DeadlineEntry, CloseWatcher, RunListener {
  // Both made only when needed (a queue wait, a stream, an abort): an AbortController and its listener
  // cost several microseconds per request, and most requests never abort.
  private controller: AbortController | null = null
  private run: RunHandle | null = null
  private abortReason: FloodgateError | null = null
  private holdsSlot = false
  private ended = false
  // A traced run whose outputs stream: recorded when its stream ends (finish), so that what the stream
  // told its LLM calls (model, finish reasons, token usage: llm/call-info.ts noteChunk) is in the trace.
  private streamedTrace: RunResult | null = null
  // This request's place in the server's deadline list (see deadlines.ts).
  deadlineAt = 0
  deadlinePrev: DeadlineEntry | null = null
  deadlineNext: DeadlineEntry | null = null
  deadlineLinked = false

  constructor(
    private readonly ctx: ScoreContext,
    private readonly request: FastifyRequest,
    private readonly reply: FastifyReply,
    private readonly inputs: Record<string, unknown>,
    private readonly acceptsJson: boolean,
    private readonly acceptsEventStream: boolean
  ) {}

  start(): void {
    watchClose(this.reply, this)
    this.ctx.deadlines?.add(this)
    const admission = this.ctx.admission
    if (admission.tryAcquire()) {
      this.holdsSlot = true
      this.execute()
    } else if (admission.canWait()) {
      admission.wait(this.signal).then(
        () => {
          // Given a slot after a timeout or disconnect already ended this request: pass it on.
          if (this.ended) return this.ctx.admission.release()
          this.holdsSlot = true
          this.execute()
        },
        (err: unknown) => this.fail(err)
      )
    } else {
      this.fail(admission.refuse())
    }
  }

  private get signal(): AbortSignal {
    if (this.controller === null) {
      this.controller = new AbortController()
      if (this.abortReason) this.controller.abort(this.abortReason)
    }
    return this.controller.signal
  }

  private execute(): void {
    this.run = this.ctx.flow.start(this.inputs, { requestId: this.request.id as string, capture: this.ctx.tracer !== null }, this)
  }

  /** The run's end (RunListener); it may come before start() returns, or inside abort(). */
  runDone(result: RunResult): void {
    const tracer = this.ctx.tracer
    if (tracer === null) {
      this.succeed(result)
      return
    }
    const fields = streamFields(result.outputs)
    if (fields === undefined) tracer.run(this.ctx.flow, result.trace, this.inputs, result.outputs, null, this.traceContext())
    else this.streamedTrace = result
    this.succeed(result, fields)
  }

  runFailed(err: FloodgateError): void {
    const tracer = this.ctx.tracer
    const trace = err.details?.trace as RunTrace | undefined
    if (tracer !== null && trace) tracer.run(this.ctx.flow, trace, this.inputs, null, err, this.traceContext())
    this.fail(err)
  }

  /** The caller's span, when the request carries a W3C traceparent (the run's trace holds its request id). */
  private traceContext(): RunContext | undefined {
    const parent = this.request.headers.traceparent
    return typeof parent === 'string' ? { parent } : undefined
  }

  /** Ends the run (if any), a queue wait and a stream in progress, with `reason`. */
  private abort(reason: FloodgateError): void {
    if (this.abortReason) return
    this.abortReason = reason
    this.run?.abort(reason)
    this.controller?.abort(reason)
  }

  private succeed(result: RunResult, fields = streamFields(result.outputs)): void {
    this.ctx.metrics.recordNodes(result.trace)
    if (fields === undefined) {
      this.finish()
      if (this.reply.sent) return
      if (!this.acceptsJson) {
        this.fail(new HttpRequestError(406, 'this flow has no streaming output; send Accept: application/json', { field: 'Accept' }))
        return
      }
      sendJson(this.reply, result.outputs)
      return
    }
    if (fields.length === 1 && this.acceptsEventStream) {
      // The run holds its slot until the last chunk is sent.
      const receivedAt = startedAtOf(this.reply)
      const body = sseStream(result.outputs, fields[0], this.signal, (err) => this.finish(err),
        () => this.ctx.metrics.recordFirstChunk('/score', (performance.now() - receivedAt) / 1000))
      this.reply.type('text/event-stream').header('cache-control', 'no-cache').send(body)
      return
    }
    collectStreams(result.outputs, fields, this.signal).then(
      (outputs) => {
        this.finish()
        if (!this.reply.sent) sendJson(this.reply, outputs)
      },
      (err: unknown) => this.fail(err)
    )
  }

  /** Answers with an error, unless a timeout or disconnect already settled this request. */
  fail(err: unknown): void {
    this.finish(err)
    if (this.reply.sent || this.reply.raw.destroyed) return
    // When we aborted the run ourselves, what the executor rejected with is a consequence; say the cause.
    const cause = this.abortReason ?? err
    sendError(this.reply, cause, this.ctx.bodyLimit)
  }

  /** Frees the slot and the timer once; the run is over (or gone). `err`: why its stream broke off. */
  finish(err?: unknown): void {
    if (this.ended) return
    this.ended = true
    const traced = this.streamedTrace
    if (traced !== null) {
      this.streamedTrace = null
      // The run lasted until its stream ended; a stream that broke off, or was cut by a timeout or the
      // client's leaving (the response's end then stops the stream at a chunk, with no error), failed it.
      const context: RunContext = { ...this.traceContext(), streamedUntil: epochNow() }
      const reason = this.abortReason ?? err
      const cause = reason === undefined ? null : traceError(reason)
      this.ctx.tracer!.run(this.ctx.flow, traced.trace, this.inputs, cause ? null : traced.outputs, cause, context)
    }
    this.ctx.deadlines?.remove(this)
    if (this.holdsSlot) {
      this.holdsSlot = false
      this.ctx.admission.release()
    }
  }

  /** The timeout passed: abort the run and answer 504 now, whatever the run is doing. */
  expire(): void {
    const seconds = this.ctx.deadlines!.ms / 1000
    const err = new TimeoutError(`the run did not finish within the server's timeout of ${seconds} s (--timeout ${seconds}); it was aborted`)
    this.abort(err)
    // The slot is freed now, not when the run settles: a tool that ignores its signal must not hold a
    // slot forever. A blocked sync tool still holds its pool thread; the pool's queue absorbs that.
    this.finish()
    if (!this.reply.sent && !this.reply.raw.headersSent) sendError(this.reply, err)
  }

  /** The response closed: normally after it was sent, or early because the client went away. */
  closed(): void {
    // Ended first (answer sent, or stream over): the normal case, nothing to abort.
    if (this.ended || this.reply.raw.writableFinished) return
    this.abort(new AbortedError('the client closed the connection before the answer; the run was aborted'))
    this.finish()
  }
}

/**
 * Sends the outputs as JSON. Handed to fastify as an object, it is serialized (errors included) by
 * fastify's own path, which sets `application/json; charset=utf-8` without parsing a Content-Type
 * header we set, measurably cheaper per request. Outputs that fastify would take for a stream or a
 * buffer (a field named pipe, getReader or buffer) are stringified here instead.
 */
function sendJson(reply: FastifyReply, outputs: Record<string, unknown>): void {
  if (typeof outputs.pipe === 'function' || typeof outputs.getReader === 'function' || outputs.buffer instanceof ArrayBuffer) {
    reply.type(JSON_TYPE).send(JSON.stringify(outputs))
  } else {
    reply.send(outputs)
  }
}

/** What a trace says of the error that ended a run. */
function traceError(err: unknown): { code: string; message: string } {
  return err instanceof FloodgateError ? err : { code: 'INTERNAL', message: messageOf(err) }
}
