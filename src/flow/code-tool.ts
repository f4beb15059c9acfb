// Code tools: a module in the flow folder whose export is the tool. An async function runs on the event
// loop; any other function is a sync tool and runs on the worker-thread pool. Modules come from the
// flow's tool build (tool-build.ts), which every thread imports.
import { realpath, stat } from 'node:fs/promises'
import { extname, isAbsolute, relative, resolve } from 'node:path'
import { types } from 'node:util'
import { moduleExports } from '../tool-runtime/index.js'
import type { ToolBuild, ToolEntry } from './tool-build.js'
import type { Where } from './where.js'
import type { NodePlace, PoolTool, ToolFn } from './plan.js'

export interface LoadedTool {
  place: NodePlace
  call: ToolFn | null
  pool: PoolTool | null
}

const EXTENSIONS = ['.ts', '.mts', '.js', '.mjs']

function inside(dir: string, file: string): boolean {
  const rel = relative(dir, file)
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
}

/** Resolves a tool file named in the yaml: it must exist inside the flow folder (symlinks included). */
export async function resolveToolFile(dir: string, path: unknown, where: Where, field: string): Promise<string> {
  if (typeof path !== 'string' || path.trim() === '') throw where.error(field, 'missing (expected the tool file, e.g. node1.ts)')
  const file = resolve(dir, path)
  if (!inside(dir, file)) throw where.error(field, `"${path}" is outside the flow folder`)
  if (!EXTENSIONS.includes(extname(file))) {
    throw where.error(field, `unsupported tool file "${path}" (expected ${EXTENSIONS.join(', ')})`)
  }
  const found = await stat(file).then((s) => s.isFile(), () => false)
  if (!found) throw where.error(field, `file "${path}" not found in the flow folder`)
  if (!inside(await realpath(dir), await realpath(file))) throw where.error(field, `"${path}" links outside the flow folder`)
  return file
}

/** What a module exports besides its default, for an error that says the export sought is not there. */
export function namedExports(mod: Record<string, unknown>): string[] {
  return Object.keys(mod).filter((k) => k !== 'default' && k !== '__esModule')
}

export function isClass(fn: (...args: never[]) => unknown): boolean {
  return /^class[\s{]/.test(Function.prototype.toString.call(fn))
}

/** The tool file named by `source.path`, checked, ready for the flow's tool build. */
export async function codeToolEntry(dir: string, path: unknown, where: Where, field: string): Promise<ToolEntry> {
  return { file: await resolveToolFile(dir, path, where, field), shown: String(path), where, field }
}

/** Loads a code tool: its file's default export. */
export async function loadCodeTool(entry: ToolEntry, tools: ToolBuild): Promise<LoadedTool> {
  const { where, field, shown } = entry
  const mod = moduleExports(await tools.load(entry))
  const fn = mod.default
  if (typeof fn !== 'function') {
    const named = namedExports(mod)
    const others = named.length ? `; it exports ${named.join(', ')}` : ''
    const found = fn === undefined ? `no default export${others}` : `default export is ${typeof fn}`
    throw where.error(field, `${shown} must default-export the tool function (${found})`)
  }
  if (isClass(fn as () => unknown)) throw where.error(field, `${shown} default-exports a class; a tool is a function`)
  if (types.isAsyncFunction(fn)) return { place: 'loop', call: fn as ToolFn, pool: null }
  return { place: 'pool', call: null, pool: { file: tools.output(entry.file), exportName: 'default', form: 'function' } }
}
