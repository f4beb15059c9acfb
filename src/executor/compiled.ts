// Assembles the CompiledFlow that src/cli and src/serve use from a Plan: the pool, the input check and
// execute().
import { createInputValidator, type FlowParts, type PoolTool } from '../flow/index.js'
import { FlowRun, type Executable } from './run.js'
import { ToolPool } from './pool.js'
import { RunSlots } from './run-slots.js'
import { poolWidth } from './width.js'
import type { CompiledFlow, LoadFlowOptions, PoolStats } from './types.js'

export const DEFAULT_THREADS = 4
/**
 * A pool thread idle this long is stopped (down to the threads started up front). Starting one costs
 * ~45 ms of CPU and stalls the event loop; a load that dips and comes back within a minute keeps them.
 */
const POOL_IDLE_MS = 60_000

const NO_POOL: PoolStats = {
  threads: 0, starting: 0, maxThreads: 0, peakThreads: 0, running: 0, queued: 0, completed: 0, utilization: 0, runSlots: 0, runs: 0, runsWaiting: 0
}

/** Starts the sync-tool pool when the flow has sync tools (its first threads ready before it returns). */
export async function createCompiledFlow(parts: FlowParts, options: LoadFlowOptions = {}): Promise<CompiledFlow> {
  const poolTools: PoolTool[] = []
  for (const node of parts.plan.nodes) {
    if (node.pool) node.poolIndex = poolTools.push(node.pool) - 1
  }
  let pool: ToolPool | null = null
  let slots: RunSlots | null = null
  if (poolTools.length > 0) {
    const runs = options.threads ?? DEFAULT_THREADS
    const width = poolWidth(parts.plan.nodes)
    const maxThreads = width * runs
    slots = new RunSlots(runs)
    // Up front, a thread per run slot (every run of a pool-bound flow holds at least one) and at least one
    // run's fan-out; the fan-outs' further threads start on demand. See docs/architecture.md for the A/B.
    const minThreads = Math.max(width, runs)
    pool = new ToolPool({ tools: poolTools, maxThreads, minThreads, idleTimeoutMs: POOL_IDLE_MS })
    try {
      await pool.ready()
    } catch (err) {
      await pool.close().catch(() => {})
      throw err
    }
  }
  const executable: Executable = {
    plan: parts.plan,
    pool,
    slots,
    nodeTimeoutMs: options.nodeTimeoutMs ?? 0,
    runTimeoutMs: options.runTimeoutMs ?? 0,
    runs: 0
  }
  let closed: Promise<void> | undefined
  return {
    name: parts.name,
    dir: parts.dir,
    kind: parts.kind,
    inputs: parts.inputs,
    outputs: parts.outputs,
    validateInputs: createInputValidator(parts.inputs),
    execute: (inputs, runOptions = {}) => {
      const run = new FlowRun(executable, inputs, runOptions)
      run.start()
      return run.promise
    },
    start: (inputs, runOptions = {}, listener) => {
      // A FlowRun is its own handle (promise + abort).
      const run = new FlowRun(executable, inputs, runOptions, listener)
      run.start()
      return run
    },
    poolStats: () => (pool && slots ? { ...pool.stats(), runSlots: slots.capacity, runs: slots.running, runsWaiting: slots.waiting } : { ...NO_POOL }),
    close: () => (closed ??= (pool ? pool.close() : Promise.resolve()).finally(() => parts.dispose?.()))
  }
}
