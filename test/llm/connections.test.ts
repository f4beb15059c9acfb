// connections.yaml and the environment: which endpoint and key an llm node uses, and the errors for
// unknown connections and bad entries. Keys never show in errors or in the connection's printed form.
import { after, test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { join, relative } from 'node:path'
import { inspect } from 'node:util'
import { loadFlow } from '../../src/executor/index.js'
import { FlowDefinitionError } from '../../src/errors.js'
import { closeLlmPools, readConnections } from '../../src/llm/index.js'
import { flowDir } from '../flow/helpers/fixture.js'
import { CHAT_TEMPLATE, completion, fakeLlm, llmYaml, sendJson } from './helpers/servers.js'

after(() => closeLlmPools())

function shown(file: string): string {
  const rel = relative(process.cwd(), file)
  return rel && !rel.startsWith('..') ? rel : file
}

/** Sets environment variables for one test (undefined deletes), restored afterwards. */
function withEnv(t: TestContext, vars: Record<string, string | undefined>): void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]))
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k]
    else process.env[k] = v
  }
  t.after(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  })
}

async function loadFailure(dir: string): Promise<FlowDefinitionError> {
  const err = await loadFlow(dir).then(() => null, (e: unknown) => e)
  assert.ok(err instanceof FlowDefinitionError, `expected FlowDefinitionError, got ${String(err)}`)
  return err
}

test('an unknown connection is named with the node and the known ones', async (t) => {
  const dir = await flowDir(t, {
    'flow.dag.yaml': llmYaml({ connection: 'open_ai_connection' }),
    'chat.jinja2': CHAT_TEMPLATE,
    'connections.yaml': 'open_ai:\n  base_url: http://127.0.0.1:1/v1\nlocal:\n  base_url: http://127.0.0.1:2/v1\n'
  })
  const err = await loadFailure(dir)
  assert.equal(err.message, `${shown(join(dir, 'flow.dag.yaml'))}: nodes[0].connection: node "answer" uses unknown connection "open_ai_connection" (${shown(join(dir, 'connections.yaml'))}: known: open_ai, local)`)
  assert.equal(err.details.node, 'answer')
})

test('without connections.yaml and without OPENAI_* variables, a named connection is unknown', async (t) => {
  withEnv(t, { OPENAI_BASE_URL: undefined, OPENAI_API_KEY: undefined })
  const dir = await flowDir(t, { 'flow.dag.yaml': llmYaml({ connection: 'open_ai' }), 'chat.jinja2': CHAT_TEMPLATE })
  const err = await loadFailure(dir)
  assert.equal(err.message, `${shown(join(dir, 'flow.dag.yaml'))}: nodes[0].connection: node "answer" uses unknown connection "open_ai" (no connections.yaml in the flow folder, and neither OPENAI_BASE_URL nor OPENAI_API_KEY is set)`)
})

test('without connections.yaml, OPENAI_BASE_URL and OPENAI_API_KEY are used', async (t) => {
  const llm = await fakeLlm(t, (res) => sendJson(res, 200, completion('from env')))
  withEnv(t, { OPENAI_BASE_URL: `${llm.baseUrl}/`, OPENAI_API_KEY: 'sk-env-key' })
  for (const connection of ['open_ai', null]) {
    const dir = await flowDir(t, { 'flow.dag.yaml': llmYaml({ connection }), 'chat.jinja2': CHAT_TEMPLATE })
    const flow = await loadFlow(dir)
    t.after(() => flow.close())
    assert.equal((await flow.execute({ question: 'hi' })).outputs.answer, 'from env')
  }
  assert.equal(llm.requests.length, 2)
  assert.equal(llm.requests[0]!.headers.authorization, 'Bearer sk-env-key')
})

test('${env:NAME} and ${env:NAME:-default} in connections.yaml; headers are sent', async (t) => {
  const llm = await fakeLlm(t, (res) => sendJson(res, 200, completion('ok')))
  withEnv(t, { FLOODGATE_TEST_LLM_URL: llm.baseUrl, FLOODGATE_TEST_LLM_KEY: undefined })
  const connections = 'open_ai:\n  type: open_ai\n  base_url: ${env:FLOODGATE_TEST_LLM_URL}\n  api_key: ${env:FLOODGATE_TEST_LLM_KEY:-}\n  headers:\n    X-Team: ${env:FLOODGATE_TEST_TEAM:-search}\n'
  const dir = await flowDir(t, { 'flow.dag.yaml': llmYaml({ connection: 'open_ai' }), 'chat.jinja2': CHAT_TEMPLATE, 'connections.yaml': connections })
  const flow = await loadFlow(dir)
  t.after(() => flow.close())
  assert.equal((await flow.execute({ question: 'hi' })).outputs.answer, 'ok')
  assert.equal(llm.requests[0]!.headers.authorization, undefined) // empty key: no header
  assert.equal(llm.requests[0]!.headers['x-team'], 'search')
})

test('an environment variable that is not set is named with its field', async (t) => {
  withEnv(t, { FLOODGATE_TEST_MISSING: undefined })
  const dir = await flowDir(t, {
    'flow.dag.yaml': llmYaml({ connection: 'open_ai' }),
    'chat.jinja2': CHAT_TEMPLATE,
    'connections.yaml': 'open_ai:\n  base_url: http://127.0.0.1:1/v1\n  api_key: ${env:FLOODGATE_TEST_MISSING}\n'
  })
  const err = await loadFailure(dir)
  assert.equal(err.message, `${shown(join(dir, 'connections.yaml'))}: open_ai.api_key: environment variable FLOODGATE_TEST_MISSING is not set (set it, or give a default: \${env:FLOODGATE_TEST_MISSING:-value})`)
})

test('bad connection entries are named with their field', async (t) => {
  const cases: Array<[string, string]> = [
    ['open_ai:\n  type: azure_open_ai\n  base_url: http://x/v1\n', 'open_ai.type: unsupported connection type "azure_open_ai" (expected open_ai)'],
    ['open_ai:\n  api_key: k\n', 'open_ai.base_url: missing (expected e.g. https://api.openai.com/v1)'],
    ['open_ai:\n  base_url: ftp://x/v1\n', 'open_ai.base_url: "ftp://x/v1" is not an http(s) URL'],
    ['open_ai:\n  base_url: http://x/v1\n  max_retries: -1\n', 'open_ai.max_retries: expected an integer >= 0, got -1'],
    ['open_ai:\n  base_url: http://x/v1\n  timeout: 0\n', 'open_ai.timeout: expected seconds > 0, got 0'],
    ['open_ai: [1]\n', 'open_ai: expected a mapping with type, base_url and api_key']
  ]
  for (const [yaml, message] of cases) {
    const dir = await flowDir(t, { 'flow.dag.yaml': llmYaml({ connection: 'open_ai' }), 'chat.jinja2': CHAT_TEMPLATE, 'connections.yaml': yaml })
    assert.equal((await loadFailure(dir)).message, `${shown(join(dir, 'connections.yaml'))}: ${message}`)
  }
})

test('llm node fields are checked at load', async (t) => {
  const cases: Array<[(y: string) => string, string]> = [
    [(y) => y.replace('    model: gpt-4o-mini\n', ''), 'nodes[0].inputs.model: missing (node "answer" needs the model to call, e.g. model: gpt-4o-mini)'],
    [(y) => y.replace('    model: gpt-4o-mini\n', '    model: gpt-4o-mini\n    temperature: hot\n'), 'nodes[0].inputs.temperature: expected a number from 0 to 2, got "hot"'],
    [(y) => y.replace('api: chat', 'api: completion'), 'nodes[0].api: "completion" is not supported (expected chat: the completion API is legacy)']
  ]
  for (const [edit, message] of cases) {
    const dir = await flowDir(t, { 'flow.dag.yaml': edit(llmYaml({ connection: null })), 'chat.jinja2': CHAT_TEMPLATE })
    assert.equal((await loadFailure(dir)).message, `${shown(join(dir, 'flow.dag.yaml'))}: ${message}`)
  }
})

test('a connection never prints its key', async (t) => {
  const dir = await flowDir(t, { 'connections.yaml': 'open_ai:\n  base_url: http://127.0.0.1:1/v1\n  api_key: sk-very-secret\n' })
  const connection = (await readConnections(dir)).byName.get('open_ai')!
  assert.equal(connection.headers().authorization, 'Bearer sk-very-secret')
  assert.doesNotMatch(JSON.stringify(connection), /very-secret/)
  assert.doesNotMatch(inspect(connection, { showHidden: true, depth: 5 }), /very-secret/)
  assert.equal(connection.redact('key sk-very-secret leaked'), 'key *** leaked')
})
