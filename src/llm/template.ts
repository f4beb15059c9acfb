// Jinja2 templates (nunjucks) of llm and prompt nodes, compiled once at flow load. The environment
// follows PromptFlow's: no autoescape (prompts are not HTML), trim_blocks, and a missing variable is an
// error naming it rather than an empty string.
import { readFile, realpath, stat } from 'node:fs/promises'
import { isAbsolute, relative, resolve } from 'node:path'
import nunjucks from 'nunjucks'
import { FlowDefinitionError, TemplateError, messageOf } from '../errors.js'
import { Where, isPlainObject } from '../flow/index.js'
import { templateVariables, type TemplateVariables } from './variables.js'

export interface CompiledTemplate {
  /** The template file as shown in messages (relative to the working directory when inside it). */
  shown: string
  /** Where errors of this node's template happen: `node "answer": template chat.jinja2`. */
  place: string
  node: string
  variables: TemplateVariables
  /** Renders with `context`. Throws TemplateError naming the file, the line and the variable. */
  render(context: Record<string, unknown>): string
}

interface NunjucksPosition {
  line: number
  column: number
  text: string
}

// Jinja2 idioms PromptFlow templates use: dict.items(), list slices, True/False/None, `tojson`. The
// compat layer patches nunjucks for the whole process; only templates use nunjucks here.
nunjucks.installJinjaCompat()

const POSITION = /\[Line (\d+), Column (\d+)\]\s*([\s\S]*)$/

/** nunjucks puts the place in its message: "(file) [Line 3, Column 6]\n  expected variable end". */
function positionOf(err: unknown): NunjucksPosition | null {
  const m = POSITION.exec(messageOf(err))
  return m ? { line: Number(m[1]), column: Number(m[2]), text: m[3]!.trim() } : null
}

/** nunjucks's message without its "(file)" prefix and "Error:" line head: the place is said already. */
function withoutPlace(message: string): string {
  return message.replace(/^(?:Template render error: )?\([^)]*\)\s*(?:Error: )?/, '').trim()
}

function inside(dir: string, file: string): boolean {
  const rel = relative(dir, file)
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
}

/** Reads `source.path` of a node: a file inside the flow folder. */
async function readSource(dir: string, node: Record<string, unknown>, where: Where, field: string): Promise<{ file: string; text: string }> {
  const source = node.source
  if (!isPlainObject(source)) throw where.error(`${field}.source`, 'missing (expected {type: code, path: <template file>, e.g. chat.jinja2})')
  if (source.type !== undefined && source.type !== 'code') {
    throw where.error(`${field}.source.type`, `"${String(source.type)}" is not supported for ${String(node.type)} nodes (expected code, with path: <template file>)`)
  }
  const path = source.path
  if (typeof path !== 'string' || path.trim() === '') throw where.error(`${field}.source.path`, 'missing (expected the template file, e.g. chat.jinja2)')
  const file = resolve(dir, path)
  if (!inside(dir, file)) throw where.error(`${field}.source.path`, `"${path}" is outside the flow folder`)
  const isFile = await stat(file).then((s) => s.isFile(), () => false)
  if (!isFile) throw where.error(`${field}.source.path`, `file "${path}" not found in the flow folder`)
  if (!inside(await realpath(dir), await realpath(file))) throw where.error(`${field}.source.path`, `"${path}" links outside the flow folder`)
  return { file, text: await readFile(file, 'utf8') }
}

/** The `{{ ... }}` at a nunjucks error position, to name what printed nothing. */
function expressionAt(source: string, pos: NunjucksPosition): string | null {
  const line = source.split('\n')[pos.line - 1]
  if (line === undefined) return null
  const outputs = [...line.matchAll(/\{\{-?\s*(.*?)\s*-?\}\}/g)]
  const hit = outputs.find((m) => m.index + m[0].length >= pos.column) ?? outputs[0]
  return hit ? hit[1]! : null
}

function renderError(err: unknown, t: CompiledTemplate, source: string): TemplateError {
  const pos = positionOf(err)
  if (!pos) return new TemplateError(`${t.place}: ${withoutPlace(messageOf(err))}`, { node: t.node, file: t.shown }, { cause: err })
  let text = pos.text
  if (text.startsWith('attempted to output null or undefined value')) {
    const expr = expressionAt(source, pos)
    text = expr ? `{{ ${expr} }} is undefined or null` : 'a {{ ... }} expression is undefined or null'
  }
  return new TemplateError(`${t.place}: line ${pos.line}: ${text}`, { node: t.node, file: t.shown, line: pos.line }, { cause: err })
}

/** Loads and compiles a node's template. Syntax errors are FlowDefinitionErrors naming file and line. */
export async function loadTemplate(dir: string, node: Record<string, unknown>, where: Where, field: string): Promise<CompiledTemplate> {
  const { file, text } = await readSource(dir, node, where, field)
  const shown = new Where(file).shown
  // A loader rooted at the flow folder lets templates {% include %} their neighbours, and only them.
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(dir), { autoescape: false, throwOnUndefined: true, trimBlocks: true })
  env.addFilter('tojson', (value: unknown) => JSON.stringify(value))
  let template: nunjucks.Template
  try {
    template = new nunjucks.Template(text, env, file, true)
  } catch (err) {
    const pos = positionOf(err)
    const place = pos ? `${shown}:${pos.line}: ${pos.text}` : `${shown}: ${messageOf(err)}`
    throw new FlowDefinitionError(`${place} (template of node "${String(node.name)}")`, { file, field: `${field}.source.path`, node: String(node.name), line: pos?.line }, { cause: err })
  }
  const parser = (nunjucks as unknown as { parser: { parse(src: string, extensions: unknown[], opts: unknown): unknown } }).parser
  const variables = templateVariables(parser.parse(text, [], { trimBlocks: true }))
  const nodeName = String(node.name)
  const compiled: CompiledTemplate = {
    shown,
    // At run time the template is named as the flow names it (its path in the flow folder): the
    // message may reach an HTTP client, who has no business with the server's paths.
    place: `node "${nodeName}": template ${relative(dir, file)}`,
    node: nodeName,
    variables,
    render(context) {
      // nunjucks reports a missing top-level name only as "null or undefined"; name it here instead.
      for (const name of variables.required) {
        if (context[name] === undefined) {
          throw new TemplateError(`${compiled.place}: variable "${name}" is undefined`, { node: nodeName, file: shown, variable: name })
        }
      }
      try {
        return template.render(context)
      } catch (err) {
        throw renderError(err, compiled, text)
      }
    }
  }
  return compiled
}
