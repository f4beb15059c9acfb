// Why a tool file cannot load, in the user's terms: a syntax error with its file and line, an import of a
// name its module does not export, a package that is not installed, or an exception while the module
// ran. The causes come from esbuild (tool-build.ts) or from Node importing the build.
import { isAbsolute, relative, resolve } from 'node:path'
import { messageOf } from '../errors.js'
import type { BuildFailure, Message } from 'esbuild'

/** Absolute path of an external import in the build -> the name the tool wrote (floodgate/tools, yaml). */
export type Imports = Map<string, string>
/** Source file -> the line where tool-build.ts put its one-line prefix, and the prefix's length. */
export type Prefixes = Map<string, { line: number; length: number }>

/** `lodash` of `lodash/fp`, `@scope/pkg` of `@scope/pkg/sub`. */
function packageName(spec: string): string {
  const parts = spec.split('/')
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!
}

function inFile(file: string | undefined, entryFile: string, dir: string): string {
  if (!file) return ''
  const abs = resolve(dir, file)
  return abs === entryFile ? '' : ` in ${shownPath(abs, dir)}`
}

function shownPath(abs: string, dir: string): string {
  const rel = relative(dir, abs)
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs
}

function missingExport(name: string, from: string, where: string): string {
  return `it imports "${name}" from ${from}${where}, which has no export of that name`
}

function explainMessage(m: Message, entryFile: string, dir: string, prefixes: Prefixes | undefined): string {
  const loc = m.location
  const where = inFile(loc?.file, entryFile, dir)
  const unresolved = /^Could not resolve "(.+)"$/.exec(m.text)
  if (unresolved) {
    const spec = unresolved[1]!
    if (spec.startsWith('.') || isAbsolute(spec)) return `it imports "${spec}"${where}, which does not exist`
    const name = packageName(spec)
    const exported = m.notes.some((n) => n.text.includes('"exports"'))
    if (exported) return `it imports "${spec}"${where}, which the installed package "${name}" does not export`
    return `it imports the package "${name}"${where}, which is not installed (run npm install ${name} in the flow folder or a folder above it)`
  }
  const tsMissing = /^Import "(.+)" will always be undefined because there is no matching export in "(.+)"$/.exec(m.text)
  if (tsMissing) return missingExport(tsMissing[1]!, tsMissing[2]!, where)
  const jsMissing = /^No matching export in "(.+)" for import "(.+)"$/.exec(m.text)
  if (jsMissing) return missingExport(jsMissing[2]!, jsMissing[1]!, where)
  if (!loc) return m.text
  const prefix = prefixes?.get(resolve(dir, loc.file))
  const column = loc.column + 1 - (prefix && prefix.line === loc.line ? prefix.length : 0)
  return `syntax error${where} on line ${loc.line}, column ${Math.max(1, column)}: ${m.text}`
}

/** Why esbuild could not build `entryFile` (a BuildFailure, or another error as is). */
export function explainBuildError(err: unknown, entryFile: string, dir: string): string {
  const failure = err as Partial<BuildFailure> & { prefixes?: Prefixes }
  const first = failure.errors?.[0]
  return first ? explainMessage(first, entryFile, dir, failure.prefixes) : messageOf(err)
}

/** Why Node could not import a built tool: a missing export of a package, or the module threw. */
export function explainImportError(err: unknown, imports: Imports, dir: string): string {
  const text = messageOf(err)
  const missing = /The requested module '(.+)' does not provide an export named '(.+)'/.exec(text)
  if (missing) {
    return missingExport(missing[2]!, imports.get(missing[1]!) ?? missing[1]!, '')
  }
  const at = placeInFlow(err, dir)
  return `it threw while loading${at}: ${text}`
}

/** ` (at node1.ts:5)`: the first stack frame in the flow folder (source maps give the source's line). */
function placeInFlow(err: unknown, dir: string): string {
  const stack = err instanceof Error ? err.stack ?? '' : ''
  for (const m of stack.matchAll(/(?:file:\/\/)?(\/[^\s():]+):(\d+):\d+/g)) {
    const rel = relative(dir, m[1]!)
    if (rel && !rel.startsWith('..') && !isAbsolute(rel)) return ` (at ${rel}:${m[2]})`
  }
  return ''
}
