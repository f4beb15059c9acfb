// The rules a flow.dag.yaml is checked against at load (src/flow/dag.ts, inputs.ts), each refusal naming
// the file and field at fault, and what a flow that passes compiles to: its input definitions, and the
// plan the executor runs (node order, references linked to node indices, dependencies and dependents).
// Loads flows (esbuild builds their tools in a child process), so it runs alone.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { compileFlow } from '../../src/executor/index.js'
import { INPUT, LITERAL, NODE, type Ref } from '../../src/flow/references.js'
import type { FlowParts } from '../../src/flow/index.js'
import { dagYaml, flowDir } from './helpers/fixture.js'

const TOOL = 'source: {type: code, path: tool.mjs}'
const FILES = { 'tool.mjs': 'export default async function tool(inputs) { return inputs }\n', 'right.jinja2': 'Q: {{q}}\n' }

async function compiled(t: TestContext, yaml: string): Promise<FlowParts> {
  const parts = await compileFlow(await flowDir(t, { 'flow.dag.yaml': yaml, ...FILES }))
  t.after(() => parts.dispose?.())
  return parts
}

// [what, flow.dag.yaml, field, message]: every refusal is a FlowDefinitionError naming the file and field.
const REFUSED: Array<[string, string, string, string]> = [
  ['nodes not a list', dagYaml('nodes: {a: 1}\n'), 'nodes', 'expected a list of nodes'],
  ['a node that is text', dagYaml('nodes: [just-text]\n'), 'nodes[0]', 'expected a mapping with name, type, source and inputs'],
  ['a node that is null', dagYaml('nodes: [null]\n'), 'nodes[0]', 'expected a mapping with name, type, source and inputs'],
  ['a node without a name', dagYaml(`nodes:\n- {type: typescript, ${TOOL}}\n`), 'nodes[0].name', 'missing (every node needs a name)'],
  ['a blank name', dagYaml(`nodes:\n- {name: "  ", type: typescript, ${TOOL}}\n`), 'nodes[0].name', 'missing (every node needs a name)'],
  ['a name that is a number', dagYaml(`nodes:\n- {name: 5, type: typescript, ${TOOL}}\n`), 'nodes[0].name', 'missing (every node needs a name)'],
  ['a name starting with a digit', dagYaml(`nodes:\n- {name: a, type: typescript, ${TOOL}}\n- {name: 1a, type: typescript, ${TOOL}}\n`), 'nodes[1].name', '"1a" is not a valid node name (letters, digits, _ and -)'],
  ['a name with a dot', dagYaml(`nodes:\n- {name: a.b, type: typescript, ${TOOL}}\n`), 'nodes[0].name', '"a.b" is not a valid node name (letters, digits, _ and -)'],
  ['a node named inputs', dagYaml(`nodes:\n- {name: inputs, type: typescript, ${TOOL}}\n`), 'nodes[0].name', '"inputs" is reserved for flow inputs'],
  ['a node named flow', dagYaml(`nodes:\n- {name: flow, type: typescript, ${TOOL}}\n`), 'nodes[0].name', '"flow" is reserved for flow inputs'],
  ['a node without a type', dagYaml(`nodes:\n- {name: a, ${TOOL}}\n`), 'nodes[0].type', 'missing (expected one of typescript, javascript, code, llm, prompt)'],
  ['node inputs as a list', dagYaml(`nodes:\n- {name: a, type: typescript, ${TOOL}, inputs: [1]}\n`), 'nodes[0].inputs', 'expected a mapping of tool argument to value or ${reference}'],
  ['a malformed input reference', dagYaml(`nodes:\n- {name: a, type: typescript, ${TOOL}, inputs: {q: "\${}"}}\n`), 'nodes[0].inputs.q', 'malformed reference ${}'],
  ['activate not a mapping', dagYaml(`nodes:\n- {name: a, type: typescript, ${TOOL}, activate: yes}\n`), 'nodes[0].activate', 'expected {when: ${reference}, is: value}'],
  ['activate without when', dagYaml(`nodes:\n- {name: a, type: typescript, ${TOOL}, activate: {is: true}}\n`), 'nodes[0].activate.when', 'missing (expected a ${reference})'],
  ['activate.when naming no input', dagYaml(`nodes:\n- {name: a, type: typescript, ${TOOL}, activate: {when: "\${inputs}", is: 1}}\n`), 'nodes[0].activate.when', 'reference ${inputs} names no input (expected ${inputs.<name>})'],
  ['activate.when naming an unknown input', dagYaml(`nodes:\n- {name: a, type: typescript, ${TOOL}, activate: {when: "\${inputs.nope}", is: 1}}\n`), 'nodes[0].activate.when', 'reference to unknown input "nope"'],
  ['a cycle through activate.when', dagYaml(`nodes:\n- {name: a, type: typescript, ${TOOL}, activate: {when: "\${b.output}", is: 1}}\n- {name: b, type: typescript, ${TOOL}, inputs: {q: "\${a.output}"}}\n`), 'nodes', 'dependency cycle a -> b -> a'],
  ['outputs as a list', dagYaml('outputs: [answer]\nnodes: []\n'), 'outputs', 'expected a mapping of output name to {type, reference}'],
  ['an output that is text', dagYaml('outputs: {answer: text}\nnodes: []\n'), 'outputs.answer.reference', 'missing (expected e.g. ${node.output} or ${inputs.name})'],
  ['an output reference that is null', dagYaml('outputs: {answer: {reference: null}}\nnodes: []\n'), 'outputs.answer.reference', 'missing (expected e.g. ${node.output} or ${inputs.name})'],
  ['an output reference that is empty', dagYaml('outputs: {answer: {reference: ""}}\nnodes: []\n'), 'outputs.answer.reference', 'missing (expected e.g. ${node.output} or ${inputs.name})'],
  ['an output naming no input', dagYaml('outputs: {answer: {reference: "${inputs}"}}\nnodes: []\n'), 'outputs.answer.reference', 'reference ${inputs} names no input (expected ${inputs.<name>})'],
  ['inputs as a list', 'inputs: [question]\nnodes: []\n', 'inputs', 'expected a mapping of input name to {type, default, ...}'],
  ['an input that is text', 'inputs: {question: text}\nnodes: []\n', 'inputs.question', 'expected a mapping such as {type: string, default: ...}'],
  ['an input that is null', 'inputs: {question: null}\nnodes: []\n', 'inputs.question', 'expected a mapping such as {type: string, default: ...}'],
  ['an empty enum', 'inputs: {color: {type: string, enum: []}}\nnodes: []\n', 'inputs.color.enum', 'expected a non-empty list of allowed values'],
  ['an enum that is not a list', 'inputs: {color: {type: string, enum: red}}\nnodes: []\n', 'inputs.color.enum', 'expected a non-empty list of allowed values'],
  ['a default outside the enum', 'inputs: {color: {type: string, enum: [red, blue], default: green}}\nnodes: []\n', 'inputs.color.default', '"green" is not one of "red", "blue"'],
  ['a long default outside the enum, quoted by its start', `inputs: {color: {type: string, enum: [red], default: ${'g'.repeat(100)}}}\nnodes: []\n`, 'inputs.color.default', `"${'g'.repeat(79)}... (a string of 100 characters) is not one of "red"`],
  // An enum value the input's type refuses could never be passed.
  ['an int input with a text enum value', 'inputs: {n: {type: int, enum: [1, two]}}\nnodes: []\n', 'inputs.n.enum[1]', 'expected int, got string'],
  ['an int input with a fractional enum value', 'inputs: {n: {type: int, enum: [1.5, 2]}}\nnodes: []\n', 'inputs.n.enum[0]', 'expected int, got a fractional number'],
  ['a string input with a number in its enum', 'inputs: {color: {type: string, enum: [red, 3]}}\nnodes: []\n', 'inputs.color.enum[1]', 'expected string, got number'],
  ['a string input with null in its enum', 'inputs: {color: {type: string, enum: [red, null]}}\nnodes: []\n', 'inputs.color.enum[1]', 'expected string, got null'],
  ['a bool input with text in its enum', 'inputs: {flag: {type: bool, enum: [true, "false"]}}\nnodes: []\n', 'inputs.flag.enum[1]', 'expected bool, got string'],
  ['a double input with a list in its enum', 'inputs: {temp: {type: double, enum: [0.5, [1]]}}\nnodes: []\n', 'inputs.temp.enum[1]', 'expected double, got list'],
  // PromptFlow requires an input's type (contracts/flow.py, FlowInputDefinition.deserialize): no default to string.
  ['an input without a type', 'inputs: {question: {default: hi}}\nnodes: []\n', 'inputs.question.type', 'missing (expected one of string, int, double, bool, list, object)'],
  ['an input whose type is null', 'inputs: {question: {type: null, default: hi}}\nnodes: []\n', 'inputs.question.type', 'missing (expected one of string, int, double, bool, list, object)'],
  ['an input that is an empty mapping', 'inputs: {question: {}}\nnodes: []\n', 'inputs.question.type', 'missing (expected one of string, int, double, bool, list, object)'],
  ['a type that is not text', 'inputs: {question: {type: [string]}}\nnodes: []\n', 'inputs.question.type', 'unknown type ["string"] (expected one of string, int, double, bool, list, object)']
]

test('a flow.dag.yaml that breaks a rule is refused, naming the file and the field', async (t) => {
  for (const [what, yaml, field, message] of REFUSED) {
    const dir = await flowDir(t, { 'flow.dag.yaml': yaml, ...FILES })
    const file = join(dir, 'flow.dag.yaml')
    await assert.rejects(compileFlow(dir), { name: 'FlowDefinitionError', message: `${file}: ${field}: ${message}`, details: { file, field } }, what)
  }
})

test('declared inputs: types, defaults, enums, descriptions and chat roles kept', async (t) => {
  const parts = await compiled(t, `inputs:
  question: {type: string, description: What to ask, is_chat_input: true}
  history: {type: list, default: [], is_chat_history: true}
  plain: {type: string, default: hi}
  color: {type: string, enum: [red, blue], default: red, description: 5}
  flag: {type: bool, default: false, is_chat_input: false, is_chat_history: yes}
  size: {type: int, enum: [1, 2, 3]}
  temp: {type: double, enum: [0.5, 1]}
  pair: {type: list, enum: [[1, 2], [3]], default: [1, 2]}
  shape: {type: object, enum: [{w: 1, h: 2}], default: {h: 2, w: 1}}
nodes: []
`)
  assert.deepEqual(parts.inputs, [
    { name: 'question', type: 'string', hasDefault: false, description: 'What to ask', isChatInput: true },
    { name: 'history', type: 'list', hasDefault: true, default: [], isChatHistory: true },
    { name: 'plain', type: 'string', hasDefault: true, default: 'hi' },
    // A description that is not text is left out.
    { name: 'color', type: 'string', hasDefault: true, default: 'red', enum: ['red', 'blue'] },
    { name: 'flag', type: 'bool', hasDefault: true, default: false },
    { name: 'size', type: 'int', hasDefault: false, enum: [1, 2, 3] },
    { name: 'temp', type: 'double', hasDefault: false, enum: [0.5, 1] },
    // A list or object default is in its enum by content (the enum's own object is another one).
    { name: 'pair', type: 'list', hasDefault: true, default: [1, 2], enum: [[1, 2], [3]] },
    { name: 'shape', type: 'object', hasDefault: true, default: { h: 2, w: 1 }, enum: [{ w: 1, h: 2 }] }
  ])
})

test('inputs, outputs and nodes absent or left empty: none of them', async (t) => {
  for (const yaml of ['nodes: []\n', 'inputs:\noutputs:\n']) {
    const parts = await compiled(t, yaml)
    assert.deepEqual(parts.inputs, [], yaml)
    assert.deepEqual(parts.plan, { nodes: [], depCounts: [], roots: [], outputs: [] }, yaml)
  }
})

test('every tool file is checked, and all are built, before any tool module is imported', async (t) => {
  // The first node's tool throws when imported; the second's file is missing, or does not compile: the
  // second node is named, and the first tool never ran.
  const yaml = 'nodes:\n- {name: a, type: typescript, source: {type: code, path: boom.mjs}}\n- {name: b, type: typescript, source: {type: code, path: b.ts}}\n'
  const boom = 'globalThis.boomImported = true\nthrow new Error("boom at import")\n'
  const cases: Array<[Record<string, string>, string]> = [
    [{}, 'file "b.ts" not found in the flow folder'],
    [{ 'b.ts': 'export default async function (: string) {}\n' }, 'cannot load b.ts: syntax error on line 1, column 32: Expected identifier but found ":"']
  ]
  for (const [files, message] of cases) {
    const dir = await flowDir(t, { 'flow.dag.yaml': yaml, 'boom.mjs': boom, ...files })
    const file = join(dir, 'flow.dag.yaml')
    const field = 'nodes[1].source.path'
    await assert.rejects(compileFlow(dir), { name: 'FlowDefinitionError', message: `${file}: ${field}: ${message}`, details: { file, field } })
  }
  assert.equal((globalThis as { boomImported?: boolean }).boomImported, undefined)
})

/** A Ref's fields, as the plan holds them. */
function ref(kind: number, name: string, text: string, index = -1, path: string[] | null = null, value?: unknown): Record<string, unknown> {
  return { kind, name, path, value, text, index }
}
const nodeRef = (text: string, name: string, index: number, path: string[] | null = null) => ref(NODE, name, text, index, path)
const inputRef = (text: string, name: string) => ref(INPUT, name, text)
const fieldsOf = (r: Ref) => ({ ...r })

test('the plan: nodes in declared order without aggregation ones, references linked, dependencies both ways', async (t) => {
  // Declared with dependents first; `agg` runs per batch in PromptFlow and is left out, so the nodes
  // after it move up one index.
  const parts = await compiled(t, `inputs:
  question: {type: string, default: hi}
  n: {type: int, default: 1}
outputs:
  answer: {reference: "\${join.output}"}
  asked: {reference: "\${inputs.question}"}
nodes:
- {name: join, type: typescript, ${TOOL}, inputs: {a: "\${left.output}", b: "\${right.output.text}", label: fixed}}
- {name: left, type: typescript, ${TOOL}, inputs: {q: "\${inputs.question}"}}
- {name: agg, type: typescript, ${TOOL}, aggregation: true, inputs: {all: "\${join.output}"}}
- name: right
  type: prompt
  source: {type: code, path: right.jinja2}
  inputs: {q: "\${flow.question}"}
  activate: {when: "\${left.output}", is: go}
- {name: last, type: typescript, ${TOOL}, inputs: {x: "\${join}"}}
- name: solo
  type: javascript
  ${TOOL}
  inputs:
  activate:
`)
  const { plan } = parts
  const nodes = plan.nodes.map((n) => ({
    name: n.name,
    inputNames: n.inputNames,
    inputRefs: n.inputRefs.map(fieldsOf),
    deps: n.deps,
    dependents: n.dependents,
    activate: n.activate && { when: fieldsOf(n.activate.when), is: n.activate.is }
  }))
  assert.deepEqual(nodes, [
    {
      name: 'join',
      inputNames: ['a', 'b', 'label'],
      inputRefs: [nodeRef('${left.output}', 'left', 1), nodeRef('${right.output.text}', 'right', 2, ['text']), ref(LITERAL, '', '', -1, null, 'fixed')],
      deps: [1, 2],
      dependents: [3],
      activate: null
    },
    { name: 'left', inputNames: ['q'], inputRefs: [inputRef('${inputs.question}', 'question')], deps: [], dependents: [0, 2], activate: null },
    // activate.when is a dependency, but not an argument of the tool.
    {
      name: 'right',
      inputNames: ['q'],
      inputRefs: [inputRef('${flow.question}', 'question')],
      deps: [1],
      dependents: [0],
      activate: { when: nodeRef('${left.output}', 'left', 1), is: 'go' }
    },
    { name: 'last', inputNames: ['x'], inputRefs: [nodeRef('${join}', 'join', 0)], deps: [0], dependents: [], activate: null },
    { name: 'solo', inputNames: [], inputRefs: [], deps: [], dependents: [], activate: null }
  ])
  // Every tool here is async or a template: all run on the event loop, none on the pool.
  for (const n of plan.nodes) {
    assert.deepEqual([n.place, typeof n.call, n.pool, n.poolIndex], ['loop', 'function', null, -1], n.name)
  }
  assert.deepEqual(plan.depCounts, [2, 0, 1, 1, 0])
  assert.deepEqual(plan.roots, [1, 4])
  assert.deepEqual(plan.outputs.map((o) => ({ name: o.name, ref: fieldsOf(o.ref) })), [
    { name: 'answer', ref: nodeRef('${join.output}', 'join', 0) },
    { name: 'asked', ref: inputRef('${inputs.question}', 'question') }
  ])
})
