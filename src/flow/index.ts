// Compiling flows: read flow.dag.yaml or flow.flex.yaml, validate every field, import tools once, and
// compile the graph into the plan (plan.ts) that src/executor runs. Imports nothing of executor.
import { basename } from 'node:path'
import { readFlowFile } from './yaml-file.js'
import { parseInputDefs } from './inputs.js'
import { compileDag } from './dag.js'
import { compileFlex } from './flex.js'
import { isPlainObject } from './where.js'
import { ToolBuild } from './tool-build.js'
import type { FlowParts } from './plan.js'
import type { OutputDef } from './types.js'

export { parseInputArgs, createInputValidator, convertText, INPUT_TYPE_TEXT } from './inputs.js'
export { registerNodeType, type NodeTypeContext, type NodeTypeLoader } from './node-types.js'
export type { LoadedTool } from './code-tool.js'
export { Where, isPlainObject, typeName } from './where.js'
export { INPUT, LITERAL, parseRef } from './references.js'
export { parseYamlText, yamlMessage } from './yaml-file.js'
export { inexactJsonNumber } from './json-numbers.js'
export type * from './types.js'
export type { FlowParts, NodePlace, Plan, PlanNode, PlanOutput, PoolTool, ToolFn } from './plan.js'

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

/**
 * The validated plan, tools imported, no pool started yet: the first half of src/executor's loadFlow, and
 * what a caller that sizes the pool from the plan uses (src/serve: a flow whose every node is a sync tool).
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
