// What the tracing thread needs of one run, made in the thread that ran it: plain data (it crosses to the
// tracing thread), times in epoch ms, arguments and results as JSON cut to a size. Pool nodes are timed
// by their pool thread's clock (NodeTrace.threadStartedAt/EndedAt), not by when their answer arrived.
import type { LlmCall, NodeTrace, RunTrace } from '../executor/index.js'

/** Inputs and outputs are cut to this many characters in span attributes. */
export const CAPTURE_MAX = 4096

export interface NodeRecord {
  name: string
  /** Epoch ms. */
  start: number
  end: number
  status: NodeTrace['status']
  place: NodeTrace['ranOn']
  error?: string
  queuedMs?: number
  inputs?: string
  output?: string
  llm?: LlmCall
}

export interface RunRecord {
  flow: string
  kind: string
  start: number
  end: number
  nodes: NodeRecord[]
  inputs?: string
  output?: string
  /** [error code, message] when the run failed. */
  error?: [string, string]
  requestId?: string
  /** The caller's W3C traceparent: the run's span becomes its child. */
  parent?: string
  /** Batch runs: the run folder's id and the line. */
  batchRunId?: string
  line?: number
}

/** JSON of a value, cut to CAPTURE_MAX characters; streams and unserializable values are described. */
export function capture(value: unknown): string {
  if (typeof value === 'string' && value.length > CAPTURE_MAX) value = value.slice(0, CAPTURE_MAX)
  let text: string | undefined
  try {
    text = JSON.stringify(value, (_k, v: unknown) => (v !== null && typeof v === 'object' && Symbol.asyncIterator in v ? '<stream>' : typeof v === 'bigint' ? String(v) : v))
  } catch (err) {
    text = `<not JSON: ${(err as Error).message}>`
  }
  if (text === undefined) return 'null'
  return text.length > CAPTURE_MAX ? `${text.slice(0, CAPTURE_MAX)}...(${text.length} characters)` : text
}

export function runRecord(flow: { name: string; kind: string }, trace: RunTrace, inputs: Record<string, unknown> | null, outputs: Record<string, unknown> | null, error: { code: string; message: string } | null): RunRecord {
  const start = trace.startedAt
  const nodes: NodeRecord[] = []
  for (const n of trace.nodes) {
    const pool = n.threadStartedAt !== undefined
    const node: NodeRecord = {
      name: n.node,
      start: pool ? n.threadStartedAt! : start + n.startMs,
      end: pool ? n.threadEndedAt! : start + n.startMs + n.durationMs,
      status: n.status,
      place: n.ranOn
    }
    if (n.error !== undefined) node.error = n.error
    if (n.queuedMs !== undefined) node.queuedMs = n.queuedMs
    if (n.inputs !== undefined) node.inputs = capture(n.inputs)
    if (n.status === 'ok' && 'output' in n) node.output = capture(n.output)
    if (n.llm) node.llm = n.llm
    nodes.push(node)
  }
  const record: RunRecord = { flow: flow.name, kind: flow.kind, start, end: start + trace.durationMs, nodes }
  if (inputs) record.inputs = capture(inputs)
  if (outputs) record.output = capture(outputs)
  if (error) record.error = [error.code, error.message]
  if (trace.requestId !== undefined) record.requestId = trace.requestId
  return record
}
