// What the tracing thread needs of one run, made in the thread that ran it: plain data (it crosses to the
// tracing thread), times in epoch ms, arguments and results as JSON cut to a size. Pool nodes are timed
// by their pool thread's clock (NodeTrace.threadStartedAt/EndedAt), not by when their answer arrived.
import type { LlmCall, NodeTrace, RunTrace } from '../executor/index.js'
import { hasStream, isStream } from '../flow/stream.js'

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

const describe = (_k: string, v: unknown): unknown => (isStream(v) ? '<stream>' : typeof v === 'bigint' ? String(v) : v)

/** A stream where flows put one: a node's output, or a run's output by name. */
function holdsStream(value: unknown): boolean {
  if (isStream(value)) return true
  return value !== null && typeof value === 'object' && !Array.isArray(value) && hasStream(value as Record<string, unknown>)
}

function json(value: unknown): string | undefined {
  // JSON.stringify with a replacer calls it for every key: on the serving thread that was half of a
  // served run's tracing cost. The replacer runs only where it changes something: a stream where flows
  // hold one (a stream nested deeper shows as its JSON, `{}`), or a BigInt (which makes plain JSON throw).
  if (!holdsStream(value)) {
    try {
      return JSON.stringify(value)
    } catch (err) {
      if (!(err instanceof TypeError && /BigInt/.test(err.message))) throw err
    }
  }
  return JSON.stringify(value, describe)
}

/** JSON of a value, cut to CAPTURE_MAX characters; streams and unserializable values are described. */
export function capture(value: unknown): string {
  if (typeof value === 'string' && value.length > CAPTURE_MAX) value = value.slice(0, CAPTURE_MAX)
  let text: string | undefined
  try {
    text = json(value)
  } catch (err) {
    text = `<not JSON: ${(err as Error).message}>`
  }
  if (text === undefined) return 'null'
  return text.length > CAPTURE_MAX ? `${text.slice(0, CAPTURE_MAX)}...(${text.length} characters)` : text
}


/** What a run adds to its record besides its trace: who asked, and where it sits in a batch. */
export interface RunContext {
  requestId?: string
  parent?: string
  batchRunId?: string
  line?: number
  /**
   * Epoch ms at which the run's streaming outputs were read to their end (or broke off). The run's span
   * and the spans of the nodes whose output is a stream end there, as PromptFlow's traced generators
   * do: a node that hands over a stream at once has generated nothing yet.
   */
  streamedUntil?: number
}

/**
 * A run record as it crosses to the tracing thread: one flat array, RUN_FIELDS for the run then
 * NODE_FIELDS per node. postMessage's structured clone writes every property name of every object it
 * copies; an array per run costs the serving thread 0.3 us to send against 0.9 us for the objects.
 */
export type PackedRun = unknown[]
const RUN_FIELDS = 12
const NODE_FIELDS = 10

/** The record of a finished run, packed, made on the thread that ran it. */
export function packRun(flow: { name: string; kind: string }, trace: RunTrace, inputs: Record<string, unknown> | null, outputs: Record<string, unknown> | null, error: { code: string; message: string } | null, context?: RunContext): PackedRun {
  const start = trace.startedAt
  const requestId = context && 'requestId' in context ? context.requestId : trace.requestId
  const until = context?.streamedUntil ?? 0
  const packed: unknown[] = [
    flow.name, flow.kind, start, Math.max(start + trace.durationMs, until),
    inputs ? capture(inputs) : undefined, outputs ? capture(outputs) : undefined,
    error?.code, error?.message, requestId, context?.parent, context?.batchRunId, context?.line
  ]
  for (const n of trace.nodes) {
    const pool = n.threadStartedAt !== undefined
    const end = pool ? n.threadEndedAt! : start + n.startMs + n.durationMs
    packed.push(
      n.node,
      pool ? n.threadStartedAt : start + n.startMs,
      isStream(n.output) ? Math.max(end, until) : end,
      n.status, n.ranOn, n.error, n.queuedMs,
      n.inputs !== undefined ? capture(n.inputs) : undefined,
      n.status === 'ok' && 'output' in n ? capture(n.output) : undefined,
      n.llm
    )
  }
  return packed
}

/** Spans a packed record makes: the run's, one per node, one per LLM call. */
export function packedSpans(packed: PackedRun): number {
  let n = 1
  for (let i = RUN_FIELDS; i < packed.length; i += NODE_FIELDS) n += packed[i + 9] === undefined ? 1 : 2
  return n
}

/** The record back from its packed form, on the tracing thread. */
export function unpackRun(p: PackedRun): RunRecord {
  const nodes: NodeRecord[] = []
  for (let i = RUN_FIELDS; i < p.length; i += NODE_FIELDS) {
    const node: NodeRecord = { name: p[i] as string, start: p[i + 1] as number, end: p[i + 2] as number, status: p[i + 3] as NodeRecord['status'], place: p[i + 4] as NodeRecord['place'] }
    if (p[i + 5] !== undefined) node.error = p[i + 5] as string
    if (p[i + 6] !== undefined) node.queuedMs = p[i + 6] as number
    if (p[i + 7] !== undefined) node.inputs = p[i + 7] as string
    if (p[i + 8] !== undefined) node.output = p[i + 8] as string
    if (p[i + 9] !== undefined) node.llm = p[i + 9] as LlmCall
    nodes.push(node)
  }
  const record: RunRecord = { flow: p[0] as string, kind: p[1] as string, start: p[2] as number, end: p[3] as number, nodes }
  if (p[4] !== undefined) record.inputs = p[4] as string
  if (p[5] !== undefined) record.output = p[5] as string
  if (p[6] !== undefined) record.error = [p[6] as string, p[7] as string]
  if (p[8] !== undefined) record.requestId = p[8] as string
  if (p[9] !== undefined) record.parent = p[9] as string
  if (p[10] !== undefined) record.batchRunId = p[10] as string
  if (p[11] !== undefined) record.line = p[11] as number
  return record
}
