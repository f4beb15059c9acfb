// A run record as OpenTelemetry spans, with explicit times and explicit parents: a span for the run
// (named after the flow, as PromptFlow names it), one per node (named after the node) and, under an llm
// node, one per LLM call following the GenAI conventions (`chat <model>`, kind CLIENT, gen_ai.*
// attributes). PromptFlow's own attributes (framework, span_type, node_name, inputs, output,
// llm.usage.*, line_number, ...) are set too, so its users find what they know.
//
// The spans are the SDK's ReadableSpan, what its exporters take, made here as finished records: a run is
// over before it is traced, so the SDK's live Span (attribute checks and copies, clocks, span
// processors) would only rebuild what the record already holds. Ids come from the SDK's generator and
// the decision to record from its sampler (OTEL_TRACES_SAMPLER, a caller's traceparent), as its Tracer
// would make them; the encoding and export are the SDK's OTLP exporter's.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type Attributes, type Context, type HrTime, type Link, type SpanContext, type SpanStatus } from '@opentelemetry/api'
import { hrTimeDuration, millisToHrTime, type InstrumentationScope } from '@opentelemetry/core'
import type { Resource } from '@opentelemetry/resources'
import { SamplingDecision, type IdGenerator, type ReadableSpan, type Sampler, type TimedEvent } from '@opentelemetry/sdk-trace-base'
import type { LlmCall } from '../executor/index.js'
import type { NodeRecord, RunRecord } from './record.js'

const FRAMEWORK = 'floodgate'
const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/
const OK: SpanStatus = { code: SpanStatusCode.OK }
const UNSET: SpanStatus = { code: SpanStatusCode.UNSET }
const NO_LINKS: Link[] = []
const NO_EVENTS: TimedEvent[] = []

/** What every span shares, and what makes ids and sampling decisions. */
export interface SpanSource {
  resource: Resource
  scope: InstrumentationScope
  ids: IdGenerator
  sampler: Sampler
}

/** A finished span: what the SDK's span would be once ended. */
class FinishedSpan implements ReadableSpan {
  readonly startTime: HrTime
  readonly endTime: HrTime
  readonly duration: HrTime
  readonly links = NO_LINKS
  readonly events = NO_EVENTS
  readonly ended = true
  readonly droppedAttributesCount = 0
  readonly droppedEventsCount = 0
  readonly droppedLinksCount = 0
  readonly resource: Resource
  readonly instrumentationScope: InstrumentationScope

  constructor(
    source: SpanSource,
    private readonly context: SpanContext,
    readonly parentSpanContext: SpanContext | undefined,
    readonly name: string,
    readonly kind: SpanKind,
    start: number,
    end: number,
    readonly status: SpanStatus,
    readonly attributes: Attributes
  ) {
    this.resource = source.resource
    this.instrumentationScope = source.scope
    this.startTime = millisToHrTime(start)
    let endTime = millisToHrTime(end)
    let duration = hrTimeDuration(this.startTime, endTime)
    // As the SDK's span does: an end before the start is a zero-length span.
    if (duration[0] < 0) {
      endTime = this.startTime
      duration = [0, 0]
    }
    this.endTime = endTime
    this.duration = duration
  }

  spanContext(): SpanContext {
    return this.context
  }
}

/** The caller's span (W3C traceparent), as the parent context of a served run. */
function parentContext(traceparent: string | undefined): Context {
  const m = traceparent ? TRACEPARENT.exec(traceparent.trim().toLowerCase()) : null
  if (!m || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return ROOT_CONTEXT
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: m[1]!, spanId: m[2]!, traceFlags: Number.parseInt(m[3]!, 16) & TraceFlags.SAMPLED, isRemote: true })
}

function statusOf(error: string | undefined): SpanStatus {
  return error === undefined ? OK : { code: SpanStatusCode.ERROR, message: error }
}

/** GenAI attributes of a call, and PromptFlow's names for the same figures. */
function llmAttributes(call: LlmCall): Attributes {
  const a: Attributes = {
    'gen_ai.operation.name': call.operation,
    'gen_ai.provider.name': call.provider,
    'gen_ai.request.stream': call.stream,
    'server.address': call.serverAddress,
    'server.port': call.serverPort,
    framework: FRAMEWORK,
    span_type: 'LLM'
  }
  if (call.requestModel !== undefined) a['gen_ai.request.model'] = call.requestModel
  if (call.maxTokens !== undefined) a['gen_ai.request.max_tokens'] = call.maxTokens
  if (call.temperature !== undefined) a['gen_ai.request.temperature'] = call.temperature
  if (call.responseModel !== undefined) a['gen_ai.response.model'] = a['llm.response.model'] = call.responseModel
  if (call.responseId !== undefined) a['gen_ai.response.id'] = call.responseId
  if (call.finishReasons !== undefined) a['gen_ai.response.finish_reasons'] = call.finishReasons
  if (call.inputTokens !== undefined) a['gen_ai.usage.input_tokens'] = a['llm.usage.prompt_tokens'] = call.inputTokens
  if (call.outputTokens !== undefined) a['gen_ai.usage.output_tokens'] = a['llm.usage.completion_tokens'] = call.outputTokens
  if (call.inputTokens !== undefined || call.outputTokens !== undefined) a['llm.usage.total_tokens'] = (call.inputTokens ?? 0) + (call.outputTokens ?? 0)
  if (call.errorType !== undefined) a['error.type'] = call.errorType
  return a
}

function nodeSpans(source: SpanSource, run: RunRecord, node: NodeRecord, parent: SpanContext, out: ReadableSpan[]): void {
  const attributes: Attributes = {
    framework: FRAMEWORK,
    span_type: node.llm ? 'LLM' : 'Function',
    function: node.name,
    node_name: node.name,
    'floodgate.node.ran_on': node.place,
    'floodgate.node.status': node.status
  }
  if (node.queuedMs !== undefined) attributes['floodgate.node.queued_ms'] = node.queuedMs
  if (node.inputs !== undefined) attributes.inputs = node.inputs
  if (node.output !== undefined) attributes.output = node.output
  if (run.line !== undefined) attributes.line_number = run.line
  const context = childOf(source, parent)
  const status = node.status === 'bypassed' ? UNSET : statusOf(node.status === 'failed' || node.status === 'cancelled' ? node.error ?? node.status : undefined)
  out.push(new FinishedSpan(source, context, parent, node.name, SpanKind.INTERNAL, node.start, node.end, status, attributes))
  const call = node.llm
  if (call) {
    const name = call.requestModel ? `${call.operation} ${call.requestModel}` : call.operation
    out.push(new FinishedSpan(source, childOf(source, context), context, name, SpanKind.CLIENT, call.startedAt, call.endedAt ?? node.end, statusOf(call.errorType), llmAttributes(call)))
  }
}

function childOf(source: SpanSource, parent: SpanContext): SpanContext {
  return { traceId: parent.traceId, spanId: source.ids.generateSpanId(), traceFlags: TraceFlags.SAMPLED, traceState: parent.traceState }
}

/**
 * The spans of one run, or null when the sampler leaves the run out (a caller's traceparent flagged not
 * sampled, or OTEL_TRACES_SAMPLER). The decision is the run span's, and its nodes' spans follow it, so
 * either every span of the run is exported or none.
 */
export function runSpans(source: SpanSource, run: RunRecord): ReadableSpan[] | null {
  const attributes: Attributes = { framework: FRAMEWORK, span_type: 'Flow', function: run.flow, execution_target: run.kind }
  if (run.requestId !== undefined) {
    // PromptFlow's name, and OpenTelemetry's for a request header (a list of the header's values).
    attributes.request_id = run.requestId
    attributes['http.request.header.x-request-id'] = [run.requestId]
  }
  if (run.batchRunId !== undefined) attributes.batch_run_id = run.batchRunId
  if (run.line !== undefined) attributes.line_number = run.line
  if (run.inputs !== undefined) attributes.inputs = run.inputs
  if (run.output !== undefined) attributes.output = run.output
  let input = 0
  let output = 0
  for (const n of run.nodes) {
    input += n.llm?.inputTokens ?? 0
    output += n.llm?.outputTokens ?? 0
  }
  if (input + output > 0) {
    attributes['__computed__.cumulative_token_count.prompt'] = input
    attributes['__computed__.cumulative_token_count.completion'] = output
    attributes['__computed__.cumulative_token_count.total'] = input + output
  }
  if (run.error) attributes['error.type'] = run.error[0]
  const kind = run.requestId !== undefined ? SpanKind.SERVER : SpanKind.INTERNAL
  const parentCtx = parentContext(run.parent)
  const parent = trace.getSpanContext(parentCtx)
  const traceId = parent?.traceId ?? source.ids.generateTraceId()
  // As the SDK's Tracer asks its sampler; only a sampled span is exported (a RECORD-only one never is).
  const sampling = source.sampler.shouldSample(parentCtx, traceId, run.flow, kind, attributes, NO_LINKS)
  if (sampling.decision !== SamplingDecision.RECORD_AND_SAMPLED) return null
  if (sampling.attributes) Object.assign(attributes, sampling.attributes)
  const context: SpanContext = { traceId, spanId: source.ids.generateSpanId(), traceFlags: TraceFlags.SAMPLED, traceState: sampling.traceState ?? parent?.traceState }
  const spans: ReadableSpan[] = [new FinishedSpan(source, context, parent, run.flow, kind, run.start, run.end, statusOf(run.error?.[1]), attributes)]
  for (const node of run.nodes) nodeSpans(source, run, node, context, spans)
  return spans
}
