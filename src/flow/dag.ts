// flow.dag.yaml -> Plan: nodes validated, references checked against inputs and nodes, cycles refused,
// tools imported once.
import { INPUT, LITERAL, NODE, Ref, parseRef } from './references.js'
import { dependentsOf, findCycle } from './graph.js'
import { codeEntryOf, knownNodeTypes, nodeTypeLoader } from './node-types.js'
import { isPlainObject, type Where } from './where.js'
import type { InputDef } from './types.js'
import type { ToolBuild, ToolEntry } from './tool-build.js'
import type { Plan, PlanNode, PlanOutput } from './plan.js'

interface NodeDraft {
  raw: Record<string, unknown>
  field: string
  name: string
  type: string
  inputNames: string[]
  inputRefs: Ref[]
  refFields: string[]
  activate: { when: Ref; is: unknown } | null
}

function refOrThrow(value: unknown, where: Where, field: string): Ref {
  const ref = parseRef(value)
  if (typeof ref === 'string') throw where.error(field, ref)
  return ref
}

function draftNode(raw: unknown, i: number, where: Where): NodeDraft {
  const field = `nodes[${i}]`
  if (!isPlainObject(raw)) throw where.error(field, 'expected a mapping with name, type, source and inputs')
  const name = raw.name
  if (typeof name !== 'string' || name.trim() === '') throw where.error(`${field}.name`, 'missing (every node needs a name)')
  if (!/^[A-Za-z_][\w-]*$/.test(name)) throw where.error(`${field}.name`, `"${name}" is not a valid node name (letters, digits, _ and -)`)
  if (name === 'inputs' || name === 'flow') throw where.error(`${field}.name`, `"${name}" is reserved for flow inputs`)
  const type = raw.type
  if (typeof type !== 'string') throw where.error(`${field}.type`, `missing (expected one of ${knownNodeTypes().join(', ')})`)
  if (type === 'python') {
    throw where.error(`${field}.type`, `python tools cannot run in Floodgate; port node "${name}" to TypeScript (a .ts file default-exporting the tool function) and set type: typescript`)
  }
  const draft: NodeDraft = { raw, field, name, type, inputNames: [], inputRefs: [], refFields: [], activate: null }
  if (raw.inputs !== undefined && raw.inputs !== null) {
    if (!isPlainObject(raw.inputs)) throw where.error(`${field}.inputs`, 'expected a mapping of tool argument to value or ${reference}')
    for (const [key, value] of Object.entries(raw.inputs)) {
      draft.inputNames.push(key)
      draft.inputRefs.push(refOrThrow(value, where, `${field}.inputs.${key}`))
      draft.refFields.push(`${field}.inputs.${key}`)
    }
  }
  if (raw.activate !== undefined && raw.activate !== null) {
    const act = raw.activate
    if (!isPlainObject(act)) throw where.error(`${field}.activate`, 'expected {when: ${reference}, is: value}')
    if (!('when' in act)) throw where.error(`${field}.activate.when`, 'missing (expected a ${reference})')
    if (!('is' in act)) throw where.error(`${field}.activate.is`, 'missing (expected the value that activates the node)')
    // A `when` that is no reference is a literal, compared with `is` at run time as PromptFlow does
    // (contracts/flow.py, ActivateCondition.deserialize; executor/_dag_manager.py, _is_condition_met).
    const when = refOrThrow(act.when, where, `${field}.activate.when`)
    draft.activate = { when, is: act.is }
    draft.inputRefs.push(when) // checked and linked with the inputs; removed again below
    draft.refFields.push(`${field}.activate.when`)
  }
  return draft
}

/** Checks a reference against the flow's inputs and nodes, and links node references to their index. */
function link(ref: Ref, where: Where, field: string, inputs: InputDef[], index: Map<string, number>, aggregation: Set<string>): void {
  if (ref.kind === INPUT && !inputs.some((d) => d.name === ref.name)) {
    throw where.error(field, `reference to unknown input "${ref.name}"`)
  }
  if (ref.kind === NODE) {
    if (aggregation.has(ref.name)) throw where.error(field, `reference to aggregation node "${ref.name}", which does not run per request`)
    const i = index.get(ref.name)
    if (i === undefined) throw where.error(field, `reference to unknown node "${ref.name}"`)
    ref.index = i
  }
}

function compileOutputs(raw: unknown, where: Where, inputs: InputDef[], index: Map<string, number>, aggregation: Set<string>): PlanOutput[] {
  if (raw === undefined || raw === null) return []
  if (!isPlainObject(raw)) throw where.error('outputs', 'expected a mapping of output name to {type, reference}')
  const outputs: PlanOutput[] = []
  for (const [name, spec] of Object.entries(raw)) {
    const field = `outputs.${name}.reference`
    if (!isPlainObject(spec) || spec.reference === undefined || spec.reference === null || spec.reference === '') {
      throw where.error(field, 'missing (expected e.g. ${node.output} or ${inputs.name})')
    }
    const ref = refOrThrow(spec.reference, where, field)
    if (ref.kind === LITERAL) throw where.error(field, `${JSON.stringify(spec.reference)} is not a reference (expected e.g. \${node.output} or \${inputs.name})`)
    link(ref, where, field, inputs, index, aggregation)
    outputs.push({ name, ref })
  }
  return outputs
}

export async function compileDag(dir: string, data: Record<string, unknown>, where: Where, inputs: InputDef[], tools: ToolBuild): Promise<Plan> {
  const rawNodes = data.nodes ?? []
  if (!Array.isArray(rawNodes)) throw where.error('nodes', 'expected a list of nodes')
  const aggregation = new Set<string>()
  const drafts: NodeDraft[] = []
  const seen = new Map<string, number>()
  rawNodes.forEach((raw, i) => {
    const draft = draftNode(raw, i, where)
    const first = seen.get(draft.name)
    if (first !== undefined) throw where.error(`nodes[${i}].name`, `duplicate node name "${draft.name}" (also nodes[${first}])`)
    seen.set(draft.name, i)
    // Aggregation nodes run over a whole batch in PromptFlow, never per request: parsed, then left out.
    if (draft.raw.aggregation === true) aggregation.add(draft.name)
    else drafts.push(draft)
  })

  const index = new Map(drafts.map((d, i) => [d.name, i]))
  for (const d of drafts) {
    const typeLoader = nodeTypeLoader(d.type)
    if (!typeLoader) throw where.error(`${d.field}.type`, `unknown node type "${d.type}" (expected one of ${knownNodeTypes().join(', ')})`)
    d.inputRefs.forEach((ref, k) => link(ref, where, d.refFields[k]!, inputs, index, aggregation))
  }
  const deps = drafts.map((d) => [...new Set(d.inputRefs.filter((r) => r.kind === NODE).map((r) => r.index))])
  const cycle = findCycle(deps)
  if (cycle) throw where.error('nodes', `dependency cycle ${cycle.map((i) => drafts[i]!.name).join(' -> ')}`)
  const outputs = compileOutputs(data.outputs, where, inputs, index, aggregation)

  // Every code tool of the flow in one build, before any is imported (tool-build.ts).
  const entries: ToolEntry[] = []
  for (const d of drafts) {
    const entry = await codeEntryOf(d.type, { dir, node: d.raw, where, field: d.field })
    if (entry) entries.push(entry)
  }
  await tools.build(entries)

  const dependents = dependentsOf(deps)
  const nodes: PlanNode[] = []
  for (const [i, d] of drafts.entries()) {
    const tool = await nodeTypeLoader(d.type)!({ dir, node: d.raw, where, field: d.field, tools })
    const argCount = d.inputNames.length
    nodes.push({
      name: d.name,
      place: tool.place,
      call: tool.call,
      pool: tool.pool,
      poolIndex: -1,
      inputNames: d.inputNames,
      inputRefs: d.inputRefs.slice(0, argCount),
      deps: deps[i]!,
      dependents: dependents[i]!,
      activate: d.activate
    })
  }
  const depCounts = deps.map((list) => list.length)
  const roots = nodes.map((_, i) => i).filter((i) => depCounts[i] === 0)
  return { nodes, depCounts, roots, outputs }
}
