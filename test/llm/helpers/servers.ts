// Flow folders with an llm node, and small raw HTTP servers standing in for misbehaving LLM endpoints.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestContext } from 'node:test'
import { flowDir } from '../../flow/helpers/fixture.js'

export interface FakeLlm {
  /** The base URL to put in connections.yaml, e.g. http://127.0.0.1:1234/v1 */
  baseUrl: string
  /** Requests received so far, with their parsed bodies and headers. */
  requests: Array<{ body: Record<string, unknown>; headers: http.IncomingHttpHeaders }>
}

/** A server whose `handler` answers each POST; it gets the attempt number (1 for the first). */
export async function fakeLlm(t: TestContext, handler: (res: http.ServerResponse, attempt: number, req: http.IncomingMessage) => void): Promise<FakeLlm> {
  const requests: FakeLlm['requests'] = []
  const server = http.createServer((req, res) => {
    let text = ''
    req.setEncoding('utf8').on('data', (d: string) => (text += d)).on('end', () => {
      requests.push({ body: JSON.parse(text || '{}') as Record<string, unknown>, headers: req.headers })
      handler(res, requests.length, req)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => {
    server.closeAllConnections()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, requests }
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(typeof body === 'string' ? body : JSON.stringify(body))
}

export function completion(content: string): Record<string, unknown> {
  return { id: 'x', object: 'chat.completion', model: 'm', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] }
}

export const CHAT_TEMPLATE = '# system:\nBe brief.\n\n# user:\n{{ question }}\n'

export interface LlmYamlOptions {
  /** The node's `connection:`; null leaves it out. Default open_ai. */
  connection?: string | null
  stream?: boolean
  /** Extra node inputs as yaml lines (indented by 4). */
  inputs?: string
}

/** A flow.dag.yaml whose one llm node "answer" renders chat.jinja2 with input `question`. */
export function llmYaml(o: LlmYamlOptions = {}): string {
  const connection = o.connection === undefined ? 'open_ai' : o.connection
  return `inputs:
  question:
    type: string
    default: hi
outputs:
  answer:
    type: string
    reference: \${answer.output}
nodes:
- name: answer
  type: llm
  source:
    type: code
    path: chat.jinja2
${connection === null ? '' : `  connection: ${connection}\n`}  api: chat
  inputs:
    model: gpt-4o-mini
    max_tokens: 8
    stream: ${o.stream === true}
    question: \${inputs.question}
${o.inputs ?? ''}`
}

export interface LlmFlowOptions extends LlmYamlOptions {
  baseUrl: string
  template?: string
  connectionExtra?: string
}

/** A flow folder of llmYaml(o) whose connection open_ai points at `baseUrl` (no retries unless told). */
export async function llmFlow(t: TestContext, o: LlmFlowOptions): Promise<string> {
  const connections = `open_ai:\n  type: open_ai\n  base_url: ${o.baseUrl}\n  api_key: sk-test-secret-123\n${o.connectionExtra ?? '  max_retries: 0\n'}`
  return flowDir(t, { 'flow.dag.yaml': llmYaml(o), 'chat.jinja2': o.template ?? CHAT_TEMPLATE, 'connections.yaml': connections })
}

/** Joins a streamed output's chunks (and counts them). */
export async function drain(value: unknown): Promise<{ text: string; chunks: number }> {
  let text = ''
  let chunks = 0
  for await (const chunk of value as AsyncIterable<string>) {
    text += chunk
    chunks++
  }
  return { text, chunks }
}
