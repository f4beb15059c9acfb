// Node types a flow.dag.yaml may use. Code tools are built in; other folders add theirs with
// registerNodeType before loading flows, without touching the loader (src/llm's llm and prompt nodes:
// src/llm/register.ts, called by src/executor/load.ts).
import { loadCodeTool, type LoadedTool } from './code-tool.js'
import type { Where } from './where.js'

export interface NodeTypeContext {
  /** Absolute flow folder. */
  dir: string
  /** The node as written in the yaml. */
  node: Record<string, unknown>
  /** Names the yaml file and this node's field in errors: where.error(`${field}.source`, '...'). */
  where: Where
  /** The node's field path, e.g. "nodes[2]". */
  field: string
}

export type NodeTypeLoader = (context: NodeTypeContext) => Promise<LoadedTool>

function source(node: Record<string, unknown>): Record<string, unknown> {
  const s = node.source
  return s !== null && typeof s === 'object' ? (s as Record<string, unknown>) : {}
}

const loadCode: NodeTypeLoader = async ({ dir, node, where, field }) => {
  if (node.source === undefined) throw where.error(`${field}.source`, 'missing (expected {type: code, path: <tool file>})')
  return loadCodeTool(dir, source(node).path, where, `${field}.source.path`)
}

const registry = new Map<string, NodeTypeLoader>([
  ['typescript', loadCode],
  ['javascript', loadCode],
  ['code', loadCode]
])

/** Adds a node type (e.g. 'llm'). Its loader validates the node and returns the tool to run. */
export function registerNodeType(type: string, loader: NodeTypeLoader): void {
  registry.set(type, loader)
}

export function nodeTypeLoader(type: string): NodeTypeLoader | undefined {
  return registry.get(type)
}

export function knownNodeTypes(): string[] {
  return [...registry.keys()]
}
