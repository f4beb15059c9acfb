// Node types a flow.dag.yaml may use. Code tools are built in; other folders add theirs with
// registerNodeType before loading flows, without touching the loader (src/llm's llm and prompt nodes:
// src/llm/register.ts, called by src/executor/load.ts).
import { codeToolEntry, loadCodeTool, type LoadedTool } from './code-tool.js'
import type { ToolBuild, ToolEntry } from './tool-build.js'
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
  /** The flow's code tools, built once: `tools.load(entry)` imports one. */
  tools: ToolBuild
}

export type NodeTypeLoader = (context: NodeTypeContext) => Promise<LoadedTool>

function source(node: Record<string, unknown>): Record<string, unknown> {
  const s = node.source
  return s !== null && typeof s === 'object' ? (s as Record<string, unknown>) : {}
}

const CODE_TYPES = new Set(['typescript', 'javascript', 'code'])

/** The tool file of a code node, so that all of a flow's tools are built at once before any loads; else null. */
export async function codeEntryOf(type: string, { dir, node, where, field }: Omit<NodeTypeContext, 'tools'>): Promise<ToolEntry | null> {
  if (!CODE_TYPES.has(type) || registry.get(type) !== loadCode) return null
  if (node.source === undefined) throw where.error(`${field}.source`, 'missing (expected {type: code, path: <tool file>})')
  return codeToolEntry(dir, source(node).path, where, `${field}.source.path`)
}

const loadCode: NodeTypeLoader = async (context) => loadCodeTool((await codeEntryOf(String(context.node.type), context))!, context.tools)

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
