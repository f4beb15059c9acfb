// What running a compiled flow looks like from outside (src/cli/run.ts, src/serve). A contract between
// folders: change it only with every reader in view.
import type { FlowKind, InputDef, NodePlace, OutputDef } from '../flow/index.js'
import type { FloodgateError } from '../errors.js'
import type { LlmCall } from '../llm/index.js'

export type { NodePlace, LlmCall }
/** `cancelled`: still running when the run failed (PromptFlow's Canceled). */
export type NodeStatus = 'ok' | 'bypassed' | 'failed' | 'cancelled'

export interface NodeTrace {
  node: string
  /** Milliseconds from the run's start to the node's start (fractional). */
  startMs: number
  durationMs: number
  /** Milliseconds a pool node waited for a free pool thread before `startMs` (absent when it did not wait). */
  queuedMs?: number
  status: NodeStatus
  ranOn: NodePlace
  error?: string
  /** A pool node: epoch ms when its pool thread started and ended the tool, by that thread's clock. */
  threadStartedAt?: number
  threadEndedAt?: number
  /** The call an llm node made (model, tokens), as the LLM client reported it. */
  llm?: LlmCall
  /** With RunOptions.capture: the node's arguments and its result. */
  inputs?: Record<string, unknown>
  output?: unknown
}

export interface RunTrace {
  requestId?: string
  /** Epoch milliseconds when the run started. */
  startedAt: number
  durationMs: number
  /** Milliseconds the run waited for a run slot (all `threads` runs busy) before its first node; absent when none. */
  slotWaitMs?: number
  nodes: NodeTrace[]
}

export interface RunResult {
  /** Output name -> value. A value may be an AsyncIterable (a streaming output); see src/serve. */
  outputs: Record<string, unknown>
  trace: RunTrace
}

export interface RunOptions {
  /** Aborts the run (client gone, shutdown). Tools receive a signal that follows it. */
  signal?: AbortSignal
  requestId?: string
  /** Overrides the flow's per-run timeout for this run. 0 means none. */
  timeoutMs?: number
  /** Keep each node's arguments and result in its trace (for exported traces). */
  capture?: boolean
}

/** A run in progress, for callers that end runs themselves (the server's timeout and disconnects). */
export interface RunHandle {
  /** Made when first read: a caller told through a RunListener never pays for it. */
  readonly promise: Promise<RunResult>
  /** Settles the run now, rejecting `promise` with `reason`; tools still running are told to stop. */
  abort(reason: FloodgateError): void
}

/**
 * Told how a run ended, once, in place of its promise: at the moment it settles, which may be inside
 * start() (a flow without nodes) or inside abort().
 */
export interface RunListener {
  runDone(result: RunResult): void
  runFailed(err: FloodgateError): void
}

export interface PoolStats {
  /** Pool threads now (started on demand, stopped when idle). */
  threads: number
  /** Of those, threads still loading the tools. */
  starting: number
  /** The most threads the pool may start: the flow's widest set of parallel sync nodes x run slots. */
  maxThreads: number
  /** The most threads it has had at once. */
  peakThreads: number
  /** Tasks running on pool threads now. */
  running: number
  /** Tasks waiting for a pool thread now (only while a thread starts, or after one was stopped). */
  queued: number
  completed: number
  /** Fraction of thread time busy since start, 0..1. */
  utilization: number
  /** Runs that may execute at once (`threads`). */
  runSlots: number
  /** Runs holding a slot now. */
  runs: number
  /** Runs waiting for a slot now. */
  runsWaiting: number
}

export interface LoadFlowOptions {
  /**
   * Runs with sync tools that execute at once (floodgate serve --threads, pf serve's meaning). The pool
   * may start threads for that many runs' parallel sync nodes. Default 4.
   */
  threads?: number
  /** Per-node timeout in ms; 0 means none. */
  nodeTimeoutMs?: number
  /** Per-run timeout in ms; 0 means none. */
  runTimeoutMs?: number
}

export interface CompiledFlow {
  name: string
  dir: string
  kind: FlowKind
  inputs: InputDef[]
  outputs: OutputDef[]
  /**
   * Applies defaults and checks types of a request's inputs. Throws InputError naming the input.
   * Unknown extra keys are ignored, as pf serve does.
   */
  validateInputs(raw: Record<string, unknown>): Record<string, unknown>
  /** Runs the flow once on already-validated inputs. Rejects with ToolError, TimeoutError, AbortedError. */
  execute(inputs: Record<string, unknown>, options?: RunOptions): Promise<RunResult>
  /**
   * Like execute(), returning a handle that can abort the run: cheaper than an AbortSignal when the
   * caller would only make one to abort this run (no AbortController, no event listener per run).
   */
  start(inputs: Record<string, unknown>, options?: RunOptions, listener?: RunListener): RunHandle
  poolStats(): PoolStats
  /** Stops the pool threads. */
  close(): Promise<void>
}
