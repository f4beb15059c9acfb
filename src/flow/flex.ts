// flow.flex.yaml -> Plan of one node: `entry: <module>:<export>` names a function taking the inputs
// object, or a class constructed once with `init` and called through `call(inputs)`.
import { stat } from 'node:fs/promises'
import { types } from 'node:util'
import { messageOf } from '../errors.js'
import { INPUT, Ref } from './references.js'
import { isClass, namedExports, resolveToolFile, type LoadedTool } from './code-tool.js'
import { moduleExports } from '../tool-runtime/index.js'
import type { ToolBuild } from './tool-build.js'
import { isPlainObject, type Where } from './where.js'
import type { InputDef } from './types.js'
import type { Plan, ToolFn } from './plan.js'

const MODULE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs']

async function findModule(dir: string, name: string, where: Where): Promise<string> {
  const candidates = /\.[cm]?[jt]s$/.test(name) ? [name] : MODULE_EXTENSIONS.map((ext) => name + ext)
  for (const candidate of candidates) {
    const found = await stat(`${dir}/${candidate}`).then((s) => s.isFile(), () => false)
    if (found) return resolveToolFile(dir, candidate, where, 'entry')
  }
  throw where.error('entry', `module "${name}" not found in the flow folder (looked for ${candidates.join(', ')})`)
}

type Callable = (...args: unknown[]) => unknown

function construct(cls: Callable, init: Record<string, unknown> | undefined, exportName: string, where: Where): { call: Callable } {
  let instance: { call?: unknown }
  try {
    instance = new (cls as unknown as new (init?: Record<string, unknown>) => { call?: unknown })(init)
  } catch (err) {
    throw where.error('init', `constructing ${exportName} failed: ${messageOf(err)}`, err)
  }
  if (typeof instance.call !== 'function') throw where.error('entry', `class ${exportName} has no call(inputs) method`)
  return instance as { call: Callable }
}

async function loadEntry(dir: string, entry: unknown, init: Record<string, unknown> | undefined, where: Where, tools: ToolBuild): Promise<{ name: string; tool: LoadedTool }> {
  if (typeof entry !== 'string' || !/^[^:]+:[A-Za-z_$][\w$]*$/.test(entry.trim())) {
    throw where.error('entry', `expected "<module>:<export>", e.g. flow:ChatFlow (got ${JSON.stringify(entry)})`)
  }
  const [moduleName, exportName] = entry.trim().split(':') as [string, string]
  const file = await findModule(dir, moduleName, where)
  const shown = file.slice(dir.length + 1)
  const mod = moduleExports(await tools.load({ file, shown, where, field: 'entry' }))
  const target = mod[exportName]
  if (target === undefined) {
    const named = namedExports(mod)
    throw where.error('entry', `${shown} has no export "${exportName}"${named.length ? ` (it exports ${named.join(', ')})` : ''}`)
  }
  if (typeof target !== 'function') throw where.error('entry', `export "${exportName}" of ${shown} is ${typeof target}, not a function or class`)
  const fn = target as Callable
  if (!isClass(fn)) {
    if (init !== undefined) throw where.error('init', `${exportName} is a function; init applies to a class entry`)
    if (types.isAsyncFunction(fn)) return { name: exportName, tool: { place: 'loop', call: fn as ToolFn, pool: null } }
    return { name: exportName, tool: { place: 'pool', call: null, pool: { file: tools.output(file), exportName, form: 'function' } } }
  }
  const instance = construct(fn, init, exportName, where)
  if (types.isAsyncFunction(instance.call)) {
    const call: ToolFn = (inputs, context) => instance.call(inputs, context)
    return { name: exportName, tool: { place: 'loop', call, pool: null } }
  }
  // A sync class runs on pool threads; each thread builds its own instance from the same init.
  return { name: exportName, tool: { place: 'pool', call: null, pool: { file: tools.output(file), exportName, form: 'class', init } } }
}

export async function compileFlex(dir: string, data: Record<string, unknown>, where: Where, inputs: InputDef[], tools: ToolBuild): Promise<Plan> {
  const init = data.init
  if (init !== undefined && init !== null && !isPlainObject(init)) throw where.error('init', 'expected a mapping of constructor arguments')
  const { name, tool } = await loadEntry(dir, data.entry, (init ?? undefined) as Record<string, unknown> | undefined, where, tools)
  let outputNames: string[] = []
  if (data.outputs !== undefined && data.outputs !== null) {
    if (!isPlainObject(data.outputs)) throw where.error('outputs', 'expected a mapping of output name to {type, description}')
    outputNames = Object.keys(data.outputs)
  }
  return {
    nodes: [{
      name,
      place: tool.place,
      call: tool.call,
      pool: tool.pool,
      poolIndex: -1,
      inputNames: inputs.map((d) => d.name),
      inputRefs: inputs.map((d) => new Ref(INPUT, d.name, null, undefined, `\${inputs.${d.name}}`)),
      deps: [],
      dependents: [],
      activate: null
    }],
    depCounts: [0],
    roots: [0],
    outputs: [],
    flexOutputNames: outputNames
  }
}
