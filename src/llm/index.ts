// LLM and prompt nodes for flows: Jinja2 templates in PromptFlow's chat format, connections, and an
// OpenAI-compatible chat client with retries and streaming. The node types register with src/flow
// through register.ts, which loads nodes.ts when a flow first uses an `llm` or `prompt` node.
export { loadLlmNode, loadPromptNode } from './nodes.js'
export { parseChat, escapeRoleHeadings, type ChatMessage, type ChatRole, type ChatSource } from './chat-format.js'
export { loadTemplate, type CompiledTemplate } from './template.js'
export { readConnections, pickConnection, envConnection, Connection, type ConnectionSet } from './connections.js'
export type { LlmCall, LlmToolContext } from './call-info.js'
export { chatEndpoint, completeChat, streamChat, closeLlmPools, type Endpoint, type ChatBody } from './client.js'
