// The executor: runs compiled flows (src/flow builds them). loadFlow is what src/cli and src/serve use;
// the rest is for code that builds or inspects plans itself.
export { compileFlow, loadFlow } from './load.js'
export { createCompiledFlow, DEFAULT_THREADS } from './compiled.js'
export { FlowRun, type Executable } from './run.js'
export { ToolPool } from './pool.js'
export { attributeFault, runningTool, type FaultKind } from './tool-scope.js'
export { readOutputs } from './outputs.js'
export type { FlowParts, Plan, PlanNode, PlanOutput, PoolTool, ToolFn } from '../flow/index.js'
export { parseInputArgs } from '../flow/index.js'
export type * from './types.js'
