// Connections: where an llm node sends its calls. From connections.yaml in the flow folder
// (`open_ai: {type: open_ai, base_url, api_key: ${env:OPENAI_API_KEY}, headers, max_retries, timeout}`),
// else from env OPENAI_BASE_URL / OPENAI_API_KEY. `${env:NAME}` and `${env:NAME:-default}` are read once,
// at flow load. The key lives only in the request headers; it is never part of a message or a log line.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { FlowDefinitionError } from '../errors.js'
import { Where, isPlainObject, parseYamlText, typeName } from '../flow/index.js'

export const CONNECTIONS_FILE = 'connections.yaml'
export const DEFAULT_BASE_URL = 'https://api.openai.com/v1'
export const DEFAULT_MAX_RETRIES = 2
export const DEFAULT_TIMEOUT_SECONDS = 60
const TYPES = ['open_ai']

export class Connection {
  /** Request headers, the Authorization one included; kept out of JSON and inspection. */
  readonly #headers: Record<string, string>
  readonly #secrets: string[]

  constructor(
    readonly name: string,
    /** Without a trailing slash, e.g. http://127.0.0.1:50001/v1. */
    readonly baseUrl: string,
    headers: Record<string, string>,
    apiKey: string,
    readonly maxRetries: number,
    readonly timeoutMs: number
  ) {
    this.#headers = { ...headers }
    if (apiKey) this.#headers.authorization = `Bearer ${apiKey}`
    this.#secrets = apiKey ? [apiKey] : []
  }

  headers(): Record<string, string> {
    return this.#headers
  }

  /** `text` with the key replaced, for messages quoting what a server said. */
  redact(text: string): string {
    let out = text
    for (const secret of this.#secrets) out = out.split(secret).join('***')
    return out
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, baseUrl: this.baseUrl, maxRetries: this.maxRetries, timeoutMs: this.timeoutMs }
  }
}

const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g

function expandEnv(value: string, env: NodeJS.ProcessEnv, where: Where, field: string): string {
  return value.replace(ENV_REF, (_all, name: string, fallback: string | undefined) => {
    const found = env[name]
    if (found !== undefined && found !== '') return found
    if (fallback !== undefined) return fallback
    throw where.error(field, `environment variable ${name} is not set (set it, or give a default: \${env:${name}:-value})`)
  })
}

function stringField(raw: Record<string, unknown>, key: string, env: NodeJS.ProcessEnv, where: Where, field: string): string | undefined {
  const value = raw[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw where.error(`${field}.${key}`, `expected a string, got ${typeName(value)}`)
  return expandEnv(value, env, where, `${field}.${key}`)
}

/** What is wrong with a base URL, or null. */
function baseUrlProblem(url: string): string | null {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return `"${url}" is not a URL (expected e.g. http://127.0.0.1:50001/v1)`
  }
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? null : `"${url}" is not an http(s) URL`
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '')
}

function numberField(raw: Record<string, unknown>, key: string, fallback: number, integer: boolean, where: Where, field: string): number {
  const value = raw[key]
  if (value === undefined || value === null) return fallback
  const ok = typeof value === 'number' && Number.isFinite(value) && (integer ? Number.isInteger(value) && value >= 0 : value > 0)
  if (!ok) throw where.error(`${field}.${key}`, `expected ${integer ? 'an integer >= 0' : 'seconds > 0'}, got ${JSON.stringify(value)}`)
  return value as number
}

function parseConnection(name: string, raw: unknown, env: NodeJS.ProcessEnv, where: Where): Connection {
  const field = name
  if (!isPlainObject(raw)) throw where.error(field, 'expected a mapping with type, base_url and api_key')
  const type = raw.type ?? 'open_ai'
  if (typeof type !== 'string' || !TYPES.includes(type)) throw where.error(`${field}.type`, `unsupported connection type ${JSON.stringify(type)} (expected ${TYPES.join(', ')})`)
  const baseRaw = stringField(raw, 'base_url', env, where, field) ?? stringField(raw, 'api_base', env, where, field)
  if (baseRaw === undefined) throw where.error(`${field}.base_url`, 'missing (expected e.g. https://api.openai.com/v1)')
  const problem = baseUrlProblem(baseRaw)
  if (problem) throw where.error(`${field}.base_url`, problem)
  const apiKey = stringField(raw, 'api_key', env, where, field) ?? ''
  const headers: Record<string, string> = {}
  if (raw.headers !== undefined && raw.headers !== null) {
    if (!isPlainObject(raw.headers)) throw where.error(`${field}.headers`, 'expected a mapping of header name to value')
    for (const key of Object.keys(raw.headers)) headers[key.toLowerCase()] = stringField(raw.headers, key, env, where, `${field}.headers`) ?? ''
  }
  const organization = stringField(raw, 'organization', env, where, field)
  if (organization) headers['openai-organization'] = organization
  const maxRetries = numberField(raw, 'max_retries', DEFAULT_MAX_RETRIES, true, where, field)
  const timeout = numberField(raw, 'timeout', DEFAULT_TIMEOUT_SECONDS, false, where, field)
  return new Connection(name, trimSlash(baseRaw), headers, apiKey, maxRetries, timeout * 1000)
}

export interface ConnectionSet {
  /** Null when the flow folder has no connections.yaml. */
  file: string | null
  byName: Map<string, Connection>
}

/** Reads the flow folder's connections.yaml (none is fine). Throws FlowDefinitionError naming the field. */
export async function readConnections(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<ConnectionSet> {
  const file = join(dir, CONNECTIONS_FILE)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { file: null, byName: new Map() }
    throw err
  }
  const where = new Where(file)
  const data = parseYamlText(text, where)
  if (data === null || data === undefined) return { file, byName: new Map() }
  if (!isPlainObject(data)) throw where.error('', 'expected a mapping of connection name to {type, base_url, api_key}')
  const byName = new Map<string, Connection>()
  for (const [name, raw] of Object.entries(data)) byName.set(name, parseConnection(name, raw, env, where))
  return { file, byName }
}

/** The connection of env OPENAI_BASE_URL / OPENAI_API_KEY (PromptFlow's and the openai client's names). */
export function envConnection(env: NodeJS.ProcessEnv = process.env): Connection {
  const base = env.OPENAI_BASE_URL || DEFAULT_BASE_URL
  const problem = baseUrlProblem(base)
  if (problem) throw new FlowDefinitionError(`environment variable OPENAI_BASE_URL: ${problem}`, { field: 'OPENAI_BASE_URL' })
  return new Connection('env', trimSlash(base), {}, env.OPENAI_API_KEY ?? '', DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_SECONDS * 1000)
}

/**
 * The connection a node names (`connection:`). With a connections.yaml the name must be in it; without
 * one, the environment serves any name. Unknown names are FlowDefinitionErrors listing the known ones.
 */
export function pickConnection(set: ConnectionSet, name: unknown, nodeName: string, where: Where, field: string, env: NodeJS.ProcessEnv = process.env): Connection {
  if (name === undefined || name === null) return envConnection(env)
  if (typeof name !== 'string' || name === '') throw where.error(field, `expected a connection name, got ${JSON.stringify(name)}`)
  const found = set.byName.get(name)
  if (found) return found
  if (set.file) {
    const known = [...set.byName.keys()]
    const list = known.length ? `known: ${known.join(', ')}` : 'it defines none'
    throw new FlowDefinitionError(
      `${where.shown}: ${field}: node "${nodeName}" uses unknown connection "${name}" (${new Where(set.file).shown}: ${list})`,
      { file: where.file, field, node: nodeName, connection: name }
    )
  }
  if (!env.OPENAI_BASE_URL && !env.OPENAI_API_KEY) {
    throw new FlowDefinitionError(
      `${where.shown}: ${field}: node "${nodeName}" uses unknown connection "${name}" (no ${CONNECTIONS_FILE} in the flow folder, and neither OPENAI_BASE_URL nor OPENAI_API_KEY is set)`,
      { file: where.file, field, node: nodeName, connection: name }
    )
  }
  return envConnection(env)
}
