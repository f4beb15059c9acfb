// Loading flows: read flow.dag.yaml or flow.flex.yaml, validate every field, import tools once, compile
// the graph, and return a CompiledFlow whose execute() runs it as often as needed.
import { basename } from 'node:path'
import { UsageError } from '../errors.js'
import { readFlowFile } from './yaml-file.js'
import { parseInputDefs } from './inputs.js'
import { compileDag } from './dag.js'
import { compileFlex } from './flex.js'
import { isPlainObject } from './where.js'
import { ToolBuild } from './tool-build.js'
import { createCompiledFlow, type FlowParts } from '../executor/compiled.js'
import type { OutputDef } from './types.js'
import type { CompiledFlow, LoadFlowOptions } from '../executor/types.js'

export { parseInputArgs, createInputValidator, convertText, INPUT_TYPE_TEXT } from './inputs.js'
export { registerNodeType, type NodeTypeContext, type NodeTypeLoader } from './node-types.js'
export type { LoadedTool } from './code-tool.js'
export { Where } from './where.js'
export type * from './types.js'

function outputDefs(raw: unknown, kind: 'dag' | 'flex'): OutputDef[] {
  if (!isPlainObject(raw)) return []
  return Object.entries(raw).map(([name, spec]) => {
    const s = isPlainObject(spec) ? spec : {}
    const def: OutputDef = { name, reference: kind === 'dag' ? String(s.reference) : '' }
    if (typeof s.type === 'string') def.type = s.type
    if (typeof s.description === 'string') def.description = s.description
    if (s.is_chat_output === true) def.isChatOutput = true
    return def
  })
}

function checkOptions(options: LoadFlowOptions): void {
  const { threads, nodeTimeoutMs, runTimeoutMs } = options
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) {
    throw new UsageError(`threads: expected a positive integer, got ${String(threads)}`, { field: 'threads' })
  }
  for (const [name, value] of [['nodeTimeoutMs', nodeTimeoutMs], ['runTimeoutMs', runTimeoutMs]] as const) {
    if (value !== undefined && !(value >= 0 && value !== Infinity)) {
      throw new UsageError(`${name}: expected milliseconds >= 0 (0 means none), got ${String(value)}`, { field: name })
    }
  }
}

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

/**
 * The first half of loadFlow: the validated plan, tools imported, no pool started yet. For a caller that
 * sizes the pool from the plan (src/serve: a flow whose every node is a sync tool).
 */
export async function compileFlow(dir: string): Promise<FlowParts> {
  const file = await readFlowFile(dir)
  const inputs = parseInputDefs(file.data.inputs, file.where)
  const tools = new ToolBuild(file.dir)
  try {
    const plan = file.kind === 'dag'
      ? await compileDag(file.dir, file.data, file.where, inputs, tools)
      : await compileFlex(file.dir, file.data, file.where, inputs, tools)
    const name = basename(file.dir)
    return { name, dir: file.dir, kind: file.kind, inputs, outputs: outputDefs(file.data.outputs, file.kind), plan, dispose: () => tools.dispose() }
  } catch (err) {
    await tools.dispose()
    throw err
  }
}
