import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join, resolve } from 'node:path'
import { loadFlow } from '../../src/executor/index.js'
import { FlowDefinitionError } from '../../src/errors.js'
import { dagYaml, flowDir } from './helpers/fixture.js'

const ASYNC_TOOL = 'export default async function tool(inputs) { return inputs }\n'

function node(name: string, inputs: string, extra = ''): string {
  return `- name: ${name}\n  type: typescript\n  source:\n    type: code\n    path: tool.mjs\n  inputs:\n${inputs}${extra}`
}

/** Loads a flow that must fail: a FlowDefinitionError with exactly this message and these details. */
async function refused(dir: string, message: string, details: { file: string; field?: string }): Promise<void> {
  await assert.rejects(loadFlow(dir), (err: unknown) => {
    assert.ok(err instanceof FlowDefinitionError, `expected FlowDefinitionError, got ${String(err)}`)
    assert.equal(err.message, message)
    assert.deepEqual(err.details, details)
    return true
  })
}

/** The flow in `dir` is refused, naming its file `name` and `field` ('' for the whole file). */
async function fileRefused(dir: string, name: string, field: string, message: string): Promise<void> {
  const file = join(dir, name)
  await refused(dir, field ? `${file}: ${field}: ${message}` : `${file}: ${message}`, { file, field })
}

async function dagRefused(t: import('node:test').TestContext, yaml: string, field: string, message: string, files: Record<string, string> = {}): Promise<void> {
  await fileRefused(await flowDir(t, { 'flow.dag.yaml': yaml, 'tool.mjs': ASYNC_TOOL, ...files }), 'flow.dag.yaml', field, message)
}

test('a folder without a flow file', async (t) => {
  const dir = await flowDir(t, {})
  await refused(dir, `${dir}: no flow.dag.yaml or flow.flex.yaml in this folder`, { file: dir })
})

test('a missing folder', async () => {
  await refused('/nonexistent/flow', '/nonexistent/flow: flow folder not found', { file: '/nonexistent/flow' })
})

test('unparseable yaml names file, line and column, on one line with no dangling colon', async (t) => {
  await dagRefused(t, 'nodes:\n- name: a\n  inputs: {q: ${inputs.question}}\n', '', `invalid YAML: Unexpected flow-map-start at node end at line 3, column 16; quote values that hold \${...}, e.g. "\${inputs.question}"`)
  await dagRefused(t, 'nodes:\n- name: a\n  inputs: {q: [1, 2}\n', '', 'invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 3, column 20')
})

test('unknown node type', async (t) => {
  await dagRefused(t, dagYaml(`nodes:\n- name: a\n  type: rust\n  source: {type: code, path: tool.mjs}\n`), 'nodes[0].type', 'unknown node type "rust" (expected one of typescript, javascript, code, llm, prompt)')
})

test('python nodes are told to port the tool', async (t) => {
  await dagRefused(t, dagYaml(`nodes:\n- name: chat\n  type: python\n  source: {type: code, path: chat.py}\n`), 'nodes[0].type', 'python tools cannot run in Floodgate; port node "chat" to TypeScript (a .ts file default-exporting the tool function) and set type: typescript')
})

test('duplicate node names', async (t) => {
  await dagRefused(t, dagYaml(`nodes:\n${node('a', '    q: 1\n')}\n${node('b', '    q: 1\n')}\n${node('a', '    q: 1\n')}\n`), 'nodes[2].name', 'duplicate node name "a" (also nodes[0])')
})

test('reference to an unknown node', async (t) => {
  await dagRefused(t, dagYaml(`nodes:\n${node('node1', '    q: 1\n')}\n${node('chat', '    x: ${nod1.output}\n')}\n`), 'nodes[1].inputs.x', 'reference to unknown node "nod1"')
})

test('reference to an unknown input', async (t) => {
  await dagRefused(t, dagYaml(`nodes:\n${node('a', '    q: ${inputs.questoin}\n')}\n`), 'nodes[0].inputs.q', 'reference to unknown input "questoin"')
})

test('a malformed node reference', async (t) => {
  await dagRefused(t, dagYaml(`nodes:\n${node('a', '    q: 1\n')}\n${node('b', '    q: ${a.result}\n')}\n`), 'nodes[1].inputs.q', `reference \${a.result}: expected \${a.output} or \${a.output.<property>}`)
})

test('a dependency cycle is named', async (t) => {
  const yaml = dagYaml(`nodes:\n${node('a', '    x: ${c.output}\n')}\n${node('b', '    x: ${a.output}\n')}\n${node('c', '    x: ${b}\n')}\n`)
  await dagRefused(t, yaml, 'nodes', 'dependency cycle a -> c -> b -> a')
})

test('a tool file that is missing', async (t) => {
  await dagRefused(t, dagYaml(`nodes:\n- name: a\n  type: typescript\n  source: {type: code, path: nope.ts}\n`), 'nodes[0].source.path', 'file "nope.ts" not found in the flow folder')
})

test('a tool file outside the flow folder', async (t) => {
  await dagRefused(t, dagYaml(`nodes:\n- name: a\n  type: typescript\n  source: {type: code, path: ../evil.ts}\n`), 'nodes[0].source.path', '"../evil.ts" is outside the flow folder')
})

test('a tool file that exports no function', async (t) => {
  await dagRefused(t, dagYaml(`nodes:\n- name: a\n  type: typescript\n  source: {type: code, path: bad.ts}\n`), 'nodes[0].source.path', 'bad.ts must default-export the tool function (no default export; it exports x)', {
    'bad.ts': 'export const x = 1\n'
  })
})

test('a tool file that fails to import', async (t) => {
  await dagRefused(t, dagYaml(`nodes:\n- name: a\n  type: typescript\n  source: {type: code, path: bad.mjs}\n`), 'nodes[0].source.path', 'cannot load bad.mjs: it threw while loading (at bad.mjs:1): boom at import', {
    'bad.mjs': 'throw new Error("boom at import")\n'
  })
})

test('a missing source', async (t) => {
  await dagRefused(t, dagYaml(`nodes:\n- name: a\n  type: typescript\n`), 'nodes[0].source', 'missing (expected {type: code, path: <tool file>})')
})

test('a bad input type', async (t) => {
  await dagRefused(t, 'inputs:\n  q:\n    type: str\nnodes: []\n', 'inputs.q.type', 'unknown type "str" (expected one of string, int, double, bool, list, object)')
})

test('a default of the wrong type', async (t) => {
  await dagRefused(t, 'inputs:\n  n:\n    type: int\n    default: three\nnodes: []\n', 'inputs.n.default', 'expected int, got string')
})

test('an output referencing nothing', async (t) => {
  await dagRefused(t, dagYaml(`outputs:\n  answer:\n    type: string\nnodes: []\n`), 'outputs.answer.reference', `missing (expected e.g. \${node.output} or \${inputs.name})`)
})

test('an output referencing an unknown node', async (t) => {
  await dagRefused(t, dagYaml(`outputs:\n  answer:\n    reference: \${chat.output}\nnodes: []\n`), 'outputs.answer.reference', 'reference to unknown node "chat"')
})

test('an output that is a literal', async (t) => {
  await dagRefused(t, dagYaml(`outputs:\n  answer:\n    reference: chat\nnodes: []\n`), 'outputs.answer.reference', `"chat" is not a reference (expected e.g. \${node.output} or \${inputs.name})`)
})

test('activate without is', async (t) => {
  await dagRefused(t, dagYaml(`nodes:\n${node('a', '    q: 1\n', '  activate:\n    when: ${inputs.question}\n')}\n`), 'nodes[0].activate.is', 'missing (expected the value that activates the node)')
})

test('a reference to an aggregation node', async (t) => {
  const yaml = dagYaml(`nodes:\n${node('agg', '    q: 1\n', '  aggregation: true\n')}\n${node('b', '    q: ${agg.output}\n')}\n`)
  await dagRefused(t, yaml, 'nodes[1].inputs.q', 'reference to aggregation node "agg", which does not run per request')
})

function flexYaml(entry: string, extra = ''): string {
  return `entry: ${entry}\ninputs:\n  question:\n    type: string\n${extra}`
}

test('a flex entry naming a missing export', async (t) => {
  const dir = await flowDir(t, { 'flow.flex.yaml': flexYaml('flow:ChatFlow'), 'flow.ts': 'export class Other {}\n' })
  await fileRefused(dir, 'flow.flex.yaml', 'entry', 'flow.ts has no export "ChatFlow" (it exports Other)')
})

test('a flex entry naming a missing module', async (t) => {
  const dir = await flowDir(t, { 'flow.flex.yaml': flexYaml('flows:ChatFlow') })
  await fileRefused(dir, 'flow.flex.yaml', 'entry', 'module "flows" not found in the flow folder (looked for flows.ts, flows.mts, flows.js, flows.mjs)')
})

test('a flex entry without an export name', async (t) => {
  const dir = await flowDir(t, { 'flow.flex.yaml': flexYaml('flow') })
  await fileRefused(dir, 'flow.flex.yaml', 'entry', 'expected "<module>:<export>", e.g. flow:ChatFlow (got "flow")')
})

test('a flex class without call()', async (t) => {
  const dir = await flowDir(t, { 'flow.flex.yaml': flexYaml('flow:ChatFlow'), 'flow.ts': 'export class ChatFlow {}\n' })
  await fileRefused(dir, 'flow.flex.yaml', 'entry', 'class ChatFlow has no call(inputs) method')
})

test('a flex class whose constructor throws', async (t) => {
  const dir = await flowDir(t, {
    'flow.flex.yaml': flexYaml('flow:ChatFlow', 'init:\n  model: x\n'),
    'flow.ts': 'export class ChatFlow { constructor(init: {model: string}) { throw new Error(`no model ${init.model}`) } async call() {} }\n'
  })
  await fileRefused(dir, 'flow.flex.yaml', 'init', 'constructing ChatFlow failed: no model x')
})

test('paths inside the working directory are shown relative to it', async () => {
  // The details keep the whole path.
  await refused('examples/promptflow-serve/nope', 'examples/promptflow-serve/nope: flow folder not found', { file: resolve('examples/promptflow-serve/nope') })
})
