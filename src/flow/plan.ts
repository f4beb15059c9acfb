// The compiled form of a flow that the executor runs: built once by src/flow, read on every run. This
// file is the contract between flow and executor: executor imports it, and it imports nothing of
// executor. Everything a run needs is precomputed here (dependency counts, dependents, parsed
// references), so the per-run path only allocates a few small arrays.
import type { Ref } from './references.js'
import type { FlowKind, InputDef, OutputDef } from './types.js'
import type { ToolContext } from '../tools/index.js'

// What a run reads of the plan's references: resolving one against the run's values.
export { INPUT, LITERAL, NODE, walkPath, type Ref } from './references.js'
export { isPlainObject } from './where.js'

/** Where a node's tool ran: on the event loop (async tools) or on the worker-thread pool (sync tools). */
export type NodePlace = 'loop' | 'pool'

/** A tool running on the event loop. Async tools return a promise; a streaming tool an async iterable. */
export type ToolFn = (inputs: Record<string, unknown>, context: ToolContext) => unknown

/** Where a pool thread finds a sync tool: a module export, called as a function or through a class. */
export interface PoolTool {
  /** The tool's JavaScript build (src/flow/tool-build.ts), imported as it is. */
  file: string
  exportName: string
  form: 'function' | 'class'
  /** Constructor argument for the class form (flex `init`). */
  init?: Record<string, unknown>
}

export interface PlanNode {
  name: string
  place: NodePlace
  /** Set for loop tools. */
  call: ToolFn | null
  /** Set for pool tools. */
  pool: PoolTool | null
  /** Index of `pool` in the pool threads' tool list; -1 for loop tools. */
  poolIndex: number
  inputNames: string[]
  inputRefs: Ref[]
  /** Distinct indices of the nodes this one references (inputs and activate.when). */
  deps: number[]
  dependents: number[]
  activate: { when: Ref; is: unknown } | null
}

export interface PlanOutput {
  name: string
  ref: Ref
}

export interface Plan {
  nodes: PlanNode[]
  /** deps.length per node, copied per run as the count of dependencies still running. */
  depCounts: number[]
  roots: number[]
  /** DAG outputs by reference. */
  outputs: PlanOutput[]
  /**
   * Flex flows: the outputs are the single node's return value; these names, when declared, are picked
   * from it. Undefined for DAG flows.
   */
  flexOutputNames?: string[]
}

/** A compiled flow before it runs: what src/executor turns into a CompiledFlow (pool, input check, execute). */
export interface FlowParts {
  name: string
  dir: string
  kind: FlowKind
  inputs: InputDef[]
  outputs: OutputDef[]
  plan: Plan
  /** Frees what loading the flow made (its tool build); called by close(). */
  dispose?: () => Promise<void>
}
