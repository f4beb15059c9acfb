// A run record as OpenTelemetry spans, with explicit times and explicit parents (no context manager): a
// span for the run (named after the flow, as PromptFlow names it), one per node (named after the node)
// and, under an llm node, one per LLM call following the GenAI conventions (`chat <model>`, kind CLIENT,
// gen_ai.* attributes). PromptFlow's own attributes (framework, span_type, node_name, inputs, output,
// llm.usage.*, line_number, ...) are set too, so its users find what they know.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api'
import type { LlmCall } from '../executor/index.js'
import type { NodeRecord, RunRecord } from './record.js'

const FRAMEWORK = 'floodgate'
const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/

/** The caller's span (W3C traceparent), as the parent context of a served run. */
function parentContext(traceparent: string | undefined): Context {
  const m = traceparent ? TRACEPARENT.exec(traceparent.trim().toLowerCase()) : null
  if (!m || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return ROOT_CONTEXT
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: m[1]!, spanId: m[2]!, traceFlags: Number.parseInt(m[3]!, 16) & TraceFlags.SAMPLED, isRemote: true })
}

function end(span: Span, at: number, error: string | undefined): void {
  span.setStatus(error === undefined ? { code: SpanStatusCode.OK } : { code: SpanStatusCode.ERROR, message: error })
  span.end(at)
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

function nodeSpan(tracer: Tracer, run: RunRecord, node: NodeRecord, parent: Context): void {
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
  const span = tracer.startSpan(node.name, { kind: SpanKind.INTERNAL, startTime: node.start, attributes }, parent)
  const call = node.llm
  if (call) {
    const name = call.requestModel ? `${call.operation} ${call.requestModel}` : call.operation
    const child = tracer.startSpan(name, { kind: SpanKind.CLIENT, startTime: call.startedAt, attributes: llmAttributes(call) }, trace.setSpan(parent, span))
    end(child, call.endedAt ?? node.end, call.errorType)
  }
  if (node.status === 'bypassed') {
    span.end(node.end)
    return
  }
  end(span, node.end, node.status === 'failed' ? node.error ?? 'failed' : undefined)
}

/**
 * Builds and ends the spans of one run: they go to the tracer's processors (the batch exporter). False
 * when the sampler left the run out (a caller's traceparent flagged not sampled, or OTEL_TRACES_SAMPLER):
 * its nodes' spans follow the run's, so either every span of the run is recorded or none.
 */
export function emitRun(tracer: Tracer, run: RunRecord): boolean {
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
  const span = tracer.startSpan(run.flow, { kind, startTime: run.start, attributes }, parentContext(run.parent))
  if (!span.isRecording()) return false
  const context = trace.setSpan(ROOT_CONTEXT, span)
  for (const node of run.nodes) nodeSpan(tracer, run, node, context)
  end(span, run.end, run.error?.[1])
  return true
}
