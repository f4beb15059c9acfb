// Code tools: a module in the flow folder whose export is the tool. An async function runs on the event
// loop; any other function is a sync tool and runs on the worker-thread pool.
import { realpath, stat } from 'node:fs/promises'
import { extname, isAbsolute, relative, resolve } from 'node:path'
import { types } from 'node:util'
import { messageOf } from '../errors.js'
import { importFile } from '../tool-runtime/index.js'
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

export async function importToolModule(file: string, shown: string, where: Where, field: string): Promise<Record<string, unknown>> {
  try {
    return await importFile(file)
  } catch (err) {
    throw where.error(field, `cannot import ${shown}: ${messageOf(err)}`, err)
  }
}

export function isClass(fn: (...args: never[]) => unknown): boolean {
  return /^class[\s{]/.test(Function.prototype.toString.call(fn))
}

/** Loads a code tool: `source.path`'s default export. */
export async function loadCodeTool(dir: string, path: unknown, where: Where, field: string): Promise<LoadedTool> {
  const file = await resolveToolFile(dir, path, where, field)
  const mod = await importToolModule(file, String(path), where, field)
  const fn = mod.default
  if (typeof fn !== 'function') {
    const found = fn === undefined ? 'no default export' : `default export is ${typeof fn}`
    throw where.error(field, `${String(path)} must default-export the tool function (${found})`)
  }
  if (isClass(fn as () => unknown)) throw where.error(field, `${String(path)} default-exports a class; a tool is a function`)
  if (types.isAsyncFunction(fn)) return { place: 'loop', call: fn as ToolFn, pool: null }
  return { place: 'pool', call: null, pool: { file, exportName: 'default', form: 'function' } }
}
