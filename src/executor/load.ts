// Loading a flow to run: src/flow compiles it (compileFlow), the executor starts what runs it
// (createCompiledFlow). The node types Floodgate ships beyond code tools (src/llm's `llm` and `prompt`)
// register here, when the executor is first imported: before any flow loads, and before a caller's own
// registerNodeType, which therefore still overrides them.
import { UsageError } from '../errors.js'
import { MAX_TIMER_MS, MAX_TIMER_MS_TEXT } from '../timer-limit.js'
import { compileFlow } from '../flow/index.js'
import { registerLlmNodeTypes } from '../llm/register.js'
import { createCompiledFlow } from './compiled.js'
import type { CompiledFlow, LoadFlowOptions } from './types.js'

registerLlmNodeTypes()

function checkOptions(options: LoadFlowOptions): void {
  const { threads, nodeTimeoutMs, runTimeoutMs } = options
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) {
    throw new UsageError(`threads: expected a positive integer, got ${String(threads)}`, { field: 'threads' })
  }
  for (const [name, value] of [['nodeTimeoutMs', nodeTimeoutMs], ['runTimeoutMs', runTimeoutMs]] as const) {
    if (value !== undefined && !(value >= 0 && value <= MAX_TIMER_MS)) {
      throw new UsageError(`${name}: expected milliseconds >= 0 (0 means none) and at most ${MAX_TIMER_MS_TEXT}, got ${String(value)}`, { field: name })
    }
  }
}

/** The first half of loadFlow (src/flow's), for a caller that sizes the pool from the plan (src/serve). */
export { compileFlow }

/** Loads, validates and compiles a flow folder. Throws FlowDefinitionError naming the file and field. */
export async function loadFlow(dir: string, options: LoadFlowOptions = {}): Promise<CompiledFlow> {
  checkOptions(options)
  const parts = await compileFlow(dir)
  try {
    return await createCompiledFlow(parts, options)
  } catch (err) {
    await parts.dispose?.()
    throw err
  }
}
