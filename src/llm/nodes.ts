// The `llm` and `prompt` node types. Both compile their template once at flow load and check there what
// can be checked (template syntax, variables against the node's inputs, literal API parameters, the
// connection). Both run on the event loop: rendering is cheap, and the LLM call is asynchronous I/O.
import { ToolError } from '../errors.js'
import { hasStream, isStream } from '../flow/stream.js'
import { INPUT, LITERAL, isPlainObject, parseRef, type LoadedTool, type NodeTypeContext, type Where } from '../flow/index.js'
import { escapeRoleHeadings, parseChat } from './chat-format.js'
import { chatEndpoint, completeChat, streamChat, type ChatBody } from './client.js'
import { endCall, startCall, type LlmToolContext } from './call-info.js'
import { pickConnection, readConnections } from './connections.js'
import { apiField, checkParam, isApiParam } from './params.js'
import { loadTemplate, type CompiledTemplate } from './template.js'

function inputsOf(node: Record<string, unknown>): Record<string, unknown> {
  return isPlainObject(node.inputs) ? node.inputs : {}
}

/** Every variable the template needs is among `names` (the node's inputs), or a FlowDefinitionError. */
function checkVariables(template: CompiledTemplate, names: string[], where: Where, field: string, nodeName: string): void {
  const missing = template.variables.required.filter((v) => !names.includes(v))
  if (missing.length === 0) return
  const list = missing.map((v) => `"${v}"`).join(', ')
  const has = names.length ? names.join(', ') : 'none'
  throw where.error(`${field}.inputs`, `node "${nodeName}": template ${template.shown} uses ${list}, missing from the node's inputs (has: ${has})`)
}

/** A streamed upstream output used as a template variable: its chunks joined. */
async function joinStreams(vars: Record<string, unknown>): Promise<void> {
  for (const key of Object.keys(vars)) {
    const value = vars[key]
    if (!isStream(value)) continue
    const chunks: unknown[] = []
    for await (const chunk of value) chunks.push(chunk)
    vars[key] = chunks.join('')
  }
}


export async function loadPromptNode({ dir, node, where, field }: NodeTypeContext): Promise<LoadedTool> {
  const name = String(node.name)
  const template = await loadTemplate(dir, node, where, field)
  checkVariables(template, Object.keys(inputsOf(node)), where, field, name)
  const call = async (inputs: Record<string, unknown>): Promise<string> => {
    if (hasStream(inputs)) {
      const vars = { ...inputs }
      await joinStreams(vars)
      return template.render(vars)
    }
    return template.render(inputs)
  }
  return { place: 'loop', call, pool: null }
}

export async function loadLlmNode({ dir, node, where, field }: NodeTypeContext): Promise<LoadedTool> {
  const name = String(node.name)
  if (node.api !== undefined && node.api !== 'chat') {
    throw where.error(`${field}.api`, `${JSON.stringify(node.api)} is not supported (expected chat: the completion API is legacy)`)
  }
  const inputs = inputsOf(node)
  const names = Object.keys(inputs)
  if (!names.some((n) => apiField(n) === 'model')) throw where.error(`${field}.inputs.model`, `missing (node "${name}" needs the model to call, e.g. model: gpt-4o-mini)`)
  for (const key of names) {
    if (!isApiParam(key)) continue
    const ref = parseRef(inputs[key])
    if (typeof ref === 'string' || ref.kind !== LITERAL) continue // references are checked per call
    const checked = checkParam(key, inputs[key])
    if ('problem' in checked) throw where.error(`${field}.inputs.${key}`, checked.problem)
  }
  const template = await loadTemplate(dir, node, where, field)
  const variables = names.filter((n) => !isApiParam(n))
  checkVariables(template, variables, where, field, name)
  // Values from the flow's inputs (the caller's text) must not add chat messages; see chat-format.ts.
  const fromFlowInputs = new Set(variables.filter((n) => {
    const ref = parseRef(inputs[n])
    return typeof ref !== 'string' && ref.kind === INPUT
  }))
  const connection = pickConnection(await readConnections(dir), node.connection, name, where, `${field}.connection`)
  const endpoint = chatEndpoint(connection, name)

  const call = async (args: Record<string, unknown>, context: LlmToolContext): Promise<unknown> => {
    const body: ChatBody = {}
    const vars: Record<string, unknown> = {}
    for (const key in args) {
      if (!isApiParam(key)) {
        vars[key] = fromFlowInputs.has(key) ? escapeRoleHeadings(args[key]) : args[key]
        continue
      }
      const checked = checkParam(key, args[key])
      if ('problem' in checked) throw new ToolError(`node "${name}": input "${key}": ${checked.problem}`, { node: name, field: key })
      if (checked.value !== undefined) body[apiField(key)] = checked.value
    }
    if (hasStream(vars)) await joinStreams(vars)
    body.messages = parseChat(template.render(vars), template)
    const call = startCall(endpoint, body, context)
    try {
      const reply = body.stream === true ? await streamChat(endpoint, body, context.signal, call) : await completeChat(endpoint, body, context.signal, call)
      endCall(call)
      return reply
    } catch (err) {
      endCall(call, err)
      throw err
    }
  }
  return { place: 'loop', call, pool: null }
}

