// Finds and parses a flow folder's definition file.
import { readFile, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { YAMLParseError, parse } from 'yaml'
import { FlowDefinitionError } from '../errors.js'
import { Where, isPlainObject } from './where.js'
import type { FlowKind } from './types.js'

export interface FlowFile {
  dir: string
  kind: FlowKind
  where: Where
  data: Record<string, unknown>
}

const NAMES: Array<[string, FlowKind]> = [['flow.dag.yaml', 'dag'], ['flow.flex.yaml', 'flex']]

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false)
}

export async function readFlowFile(dirArg: string): Promise<FlowFile> {
  const dir = resolve(dirArg)
  const dirStat = await stat(dir).catch(() => null)
  if (!dirStat) throw new FlowDefinitionError(`${dirArg}: flow folder not found`, { file: dir })
  if (!dirStat.isDirectory()) throw new FlowDefinitionError(`${dirArg}: not a folder (pass the folder holding flow.dag.yaml or flow.flex.yaml)`, { file: dir })
  for (const [name, kind] of NAMES) {
    const file = join(dir, name)
    if (!(await isFile(file))) continue
    const where = new Where(file)
    const data = parseYaml(await readFile(file, 'utf8'), where)
    return { dir, kind, where, data }
  }
  throw new FlowDefinitionError(`${dirArg}: no flow.dag.yaml or flow.flex.yaml in this folder`, { file: dir })
}

/** Parses YAML text; a syntax error is a FlowDefinitionError naming the file, line and column. */
export function parseYamlText(text: string, where: Where): unknown {
  try {
    return parse(text)
  } catch (err) {
    if (err instanceof YAMLParseError) throw where.error('', `invalid YAML: ${yamlMessage(err, text)}`, err)
    throw err
  }
}

/**
 * The yaml library's message as one line: its first line without the colon that introduces the excerpt
 * it prints below, and a hint when the line at fault holds an unquoted ${...} (a `{` there opens a
 * YAML flow mapping).
 */
export function yamlMessage(err: YAMLParseError, text: string): string {
  const first = err.message.split('\n')[0]!.replace(/:\s*$/, '')
  const line = err.linePos ? text.split('\n')[err.linePos[0].line - 1] : undefined
  if (line !== undefined && /(^|[^"'])\$\{/.test(line)) return `${first}; quote values that hold \${...}, e.g. "\${inputs.question}"`
  return first
}

function parseYaml(text: string, where: Where): Record<string, unknown> {
  const data = parseYamlText(text, where)
  if (!isPlainObject(data)) throw where.error('', 'expected a YAML mapping with inputs, outputs and nodes')
  return data
}
