// The folders of src/ and which may import which: the one place the layering is written in code. The
// eslint rule `floodgate/layers` (eslint.config.js, run by `npm test`) and scripts/import-graph.mjs both
// read it; docs/architecture.md draws the same picture.
//
// Two checks, on every import, export-from and import() between folders of src/ (type-only ones too):
// - one way: a folder imports only the base and the folders before it on its path of the data;
// - through the front door: from another folder, only its index.ts (its public face), or a contract file
//   named below.

/** Usable by every folder. Each may import those before it here. */
export const BASE = ['shown', 'clock', 'timer-limit', 'errors', 'version', 'random', 'process']

/** The data's paths, in order: a folder may import the base and the folders before it on its path. */
export const PATHS = [
  // tool-runtime: what runs beneath tool code (loading tool modules, their HTTP); tools: `floodgate/tools`,
  // what tool authors import; llm: the llm and prompt node types, which register with flow and which
  // executor's loadFlow registers; trace: runs as OpenTelemetry spans (a tracing thread), for serve and cli.
  ['tool-runtime', 'tools', 'flow', 'llm', 'executor', 'trace', 'serve'],
  ['mock'],
  ['load', 'report']
]

/**
 * On top of every path: each may import every folder above and those before it here. ui, the live page
 * (`--ui`), shows a load's and a bench's progress: it reads bench's types, and the CLI serves it. capacity
 * runs its search with bench's services, load child and sampler, step after step. batch: batch runs of a
 * flow over a data file (executor, trace, load's histograms), orchestrated like bench.
 */
export const TOP = ['bench', 'ui', 'capacity', 'batch', 'index', 'cli']

/** Files another folder may import besides the folder's index.ts, and why. */
export const CONTRACTS = {
  'flow/plan.ts': "the compiled plan, flow's product and executor's input: executor reads it without loading the flow loader",
  'load/result.ts': "LoadResult, the one format of a run's measurements: load writes it, report, bench and merge read it",
  'flow/types.ts': 'the input and output definitions: types only, shared by flow, executor and serve',
  'flow/stream.ts': 'isStream, the one test of a streamed value, for executor, llm, trace and serve without loading the flow loader',
  'executor/types.ts': 'what running a compiled flow looks like from outside: types only',
  'serve/command.ts': "`floodgate serve`: it imports only what each path runs, so a cluster primary loads no fastify, flow or pool code",
  'serve/options.ts': 'the serve options and their defaults, read by the CLI without loading the server',
  'ui/options.ts': "the --ui flags' defaults and checks, read by the CLI without loading the page's server (fastify, esbuild) unless --ui is given",
  'report/load/charts.ts': "the load charts' ECharts options, plain data with no Node imports: the report renders them and the live page's browser script (ui/client, bundled by esbuild) draws the same ones",
  'report/escape.ts': "escapeHtml with no Node imports, for the reports and the live page's browser script (ui/client)",
  'report/bench/data.ts': 'the files a bench run saves (src/bench writes them, the bench report reads them back): types and a version',
  'llm/register.ts': "registers the llm and prompt node types without loading the llm client (it loads on a flow's first llm node)"
}

/** The folder a file of src/ belongs to ('flow' for flow/dag.ts); a file at the top is its own ('errors'). */
export function unitOf(path) {
  const slash = path.indexOf('/')
  return slash < 0 ? path.replace(/\.[cm]?[jt]s$/, '') : path.slice(0, slash)
}

/** The folders `unit` may import, or undefined for a folder this file does not know. */
export function allowedFrom(unit) {
  const base = BASE.indexOf(unit)
  if (base >= 0) return BASE.slice(0, base)
  for (const path of PATHS) {
    const at = path.indexOf(unit)
    if (at >= 0) return [...BASE, ...path.slice(0, at)]
  }
  const top = TOP.indexOf(unit)
  if (top >= 0) return [...BASE, ...PATHS.flat(), ...TOP.slice(0, top)]
  return undefined
}

function isFace(path) {
  return !path.includes('/') || /^[^/]+\/index\.ts$/.test(path) || path in CONTRACTS
}

/**
 * Why the file `from` may not import the file `to` (both relative to src/, e.g. 'serve/app.ts'), or null
 * when it may.
 */
export function checkImport(from, to) {
  const source = unitOf(from)
  const target = unitOf(to)
  if (source === target) return null
  const allowed = allowedFrom(source)
  if (allowed === undefined) {
    return { kind: 'unknown folder', message: `src/${source} is in no layer of scripts/layers.mjs: add it where the data's path puts it` }
  }
  if (!allowed.includes(target)) {
    return {
      kind: 'against the layers',
      message: `${source} may not import ${target}: imports point down the data's path (scripts/layers.mjs); ${source} may import ${allowed.length ? allowed.join(', ') : 'nothing of src/'}`
    }
  }
  if (!isFace(to)) {
    return { kind: 'into internals', message: `import ${target}/index.js, the public face of ${target}, not ${to}` }
  }
  return null
}
