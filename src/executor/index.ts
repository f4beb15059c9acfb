// The executor: runs compiled flows (src/flow builds them). src/cli and src/serve use loadFlow from
// src/flow; these are for code that builds or inspects plans itself.
export { createCompiledFlow, DEFAULT_THREADS, type FlowParts } from './compiled.js'
export { FlowRun, type Executable } from './run.js'
export { ToolPool } from './pool.js'
export { noteLlmCall } from './tool-scope.js'
export { readOutputs } from './outputs.js'
export type { Plan, PlanNode, PlanOutput, PoolTool, ToolFn } from './plan.js'
export { parseInputArgs } from '../flow/inputs.js'
export type * from './types.js'
