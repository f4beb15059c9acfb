// What running a compiled flow looks like from outside (src/cli/run.ts, src/serve). A contract between
// folders: change it only with every reader in view.
import type { FlowKind, InputDef, OutputDef } from '../flow/types.js'
import type { FloodgateError } from '../errors.js'

export type NodeStatus = 'ok' | 'bypassed' | 'failed'
/** Where a node's tool ran: on the event loop (async tools) or on the worker-thread pool (sync tools). */
export type NodePlace = 'loop' | 'pool'

export interface NodeTrace {
  node: string
  /** Milliseconds from the run's start to the node's start (fractional). */
  startMs: number
  durationMs: number
  status: NodeStatus
  ranOn: NodePlace
  error?: string
}

export interface RunTrace {
  requestId?: string
  /** Epoch milliseconds when the run started. */
  startedAt: number
  durationMs: number
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
}

/** A run in progress, for callers that end runs themselves (the server's timeout and disconnects). */
export interface RunHandle {
  promise: Promise<RunResult>
  /** Settles the run now, rejecting `promise` with `reason`; tools still running are told to stop. */
  abort(reason: FloodgateError): void
}

export interface PoolStats {
  threads: number
  /** Tasks running on pool threads now. */
  running: number
  /** Tasks waiting for a free pool thread now. */
  queued: number
  completed: number
  /** Fraction of thread time busy since start, 0..1 (piscina's utilization). */
  utilization: number
}

export interface LoadFlowOptions {
  /** Sync-tool pool threads (floodgate serve --threads). Default 4. */
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
  start(inputs: Record<string, unknown>, options?: RunOptions): RunHandle
  poolStats(): PoolStats
  /** Stops the pool threads. */
  close(): Promise<void>
}
