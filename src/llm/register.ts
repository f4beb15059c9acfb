// The `llm` and `prompt` node types, registered with src/flow through registerNodeType (src/executor's
// load.ts calls this). This file is light on purpose: the node code (templates, the HTTP client) is
// imported the first time a flow uses one of these nodes, so a flow without them never loads it.
import { registerNodeType } from '../flow/index.js'

export function registerLlmNodeTypes(): void {
  registerNodeType('llm', async (context) => (await import('./nodes.js')).loadLlmNode(context))
  registerNodeType('prompt', async (context) => (await import('./nodes.js')).loadPromptNode(context))
}
