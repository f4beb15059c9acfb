// A flow's code tools, built once into plain ES modules that every thread imports as they are. A tool
// folder is whatever the user has: .ts/.mts/.js/.mjs files, often with no package.json above them (as
// PromptFlow lays flows out), where Node alone would take a .ts or .js file for CommonJS and could not
// resolve `floodgate/tools` at all. esbuild reads each file as what it is (TypeScript or JavaScript, ES
// module or CommonJS) and writes ESM (.mjs): the main thread and every pool thread import the same
// JavaScript, with no loader hooks (a Node 20 loader hook costs every worker thread a thread of its own).
//
// All tools of a flow are built in one run with code splitting, so a helper module two tools import is
// one module instance, as under Node. Relative imports are bundled; packages stay outside, imported by
// their absolute path (the build lives in a temporary folder where a bare name would not resolve);
// `floodgate/tools` is the running Floodgate's own module, whether Floodgate is installed in the
// project, globally, or run with npx. `import.meta.url`, `import.meta.dirname`/`filename` and
// CommonJS's `__dirname`/`__filename` keep naming the source file (a tool reading files beside itself).
import { build, stop, type BuildFailure, type Message, type Plugin } from 'esbuild'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { isBuiltin } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, extname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { siblingUrl } from '../process/index.js'
import { explainBuildError, explainImportError, type Imports, type Prefixes } from './tool-errors.js'
import type { Where } from './where.js'

/** A tool file to build, and where the flow names it (for errors). */
export interface ToolEntry {
  /** Absolute path of the source file. */
  file: string
  /** The file as the flow names it, e.g. node1.ts. */
  shown: string
  where: Where
  field: string
}

const toolsPath = fileURLToPath(siblingUrl('../tools/index', import.meta.url))
const SOURCE = /\.[cm]?[jt]sx?$/
// Builds in progress in this process: esbuild's service (a child process of ~14 MiB that would otherwise
// live as long as the server) is stopped when the last one ends; a later build starts it again.
let building = 0

export class ToolBuild {
  private folder: string | null = null
  private readonly outputs = new Map<string, string>()
  private readonly imports: Imports = new Map()
  private builds = 0

  constructor(private readonly dir: string) {}

  /** Builds the entries in one esbuild run. On failure, throws the error of the first entry that cannot build. */
  async build(entries: ToolEntry[]): Promise<void> {
    const todo = entries.filter((e, i) => !this.outputs.has(e.file) && entries.findIndex((o) => o.file === e.file) === i)
    if (todo.length === 0) return
    const out = join(await this.root(), String(this.builds++))
    try {
      await this.run(todo, out)
    } catch (err) {
      if (todo.length === 1 || !isBuildFailure(err)) throw this.buildError(todo[0]!, err)
      // One build holds every tool: build them one by one to name the tool at fault.
      for (const [i, entry] of todo.entries()) {
        try {
          await this.run([entry], join(out, `check-${i}`))
        } catch (one) {
          throw this.buildError(entry, one)
        }
      }
      throw this.buildError(todo[0]!, err)
    }
  }

  /** Imports a built tool (building it alone if it was not in a build yet). */
  async load(entry: ToolEntry): Promise<Record<string, unknown>> {
    await this.build([entry])
    // A tool's stack traces name its source files, not the build.
    process.setSourceMapsEnabled(true)
    try {
      return (await import(pathToFileURL(this.output(entry.file)).href)) as Record<string, unknown>
    } catch (err) {
      throw entry.where.error(entry.field, `cannot load ${entry.shown}: ${explainImportError(err, this.imports, this.dir)}`, err)
    }
  }

  /** The built JavaScript of a source file: what pool threads import. */
  output(file: string): string {
    const built = this.outputs.get(file)
    if (built === undefined) throw new Error(`${file} was not built`)
    return built
  }

  /** Removes the build's folder. */
  async dispose(): Promise<void> {
    const folder = this.folder
    this.folder = null
    if (folder) await rm(folder, { recursive: true, force: true })
  }

  private async root(): Promise<string> {
    this.folder ??= await mkdtemp(join(tmpdir(), 'floodgate-tools-'))
    return this.folder
  }

  private buildError(entry: ToolEntry, err: unknown): Error {
    return entry.where.error(entry.field, `cannot load ${entry.shown}: ${explainBuildError(err, entry.file, this.dir)}`, err)
  }

  private async run(entries: ToolEntry[], outdir: string): Promise<void> {
    const entryPoints: Record<string, string> = {}
    entries.forEach((e, i) => (entryPoints[`tool-${i}`] = e.file))
    const prefixes: Prefixes = new Map()
    building++
    try {
      const result = await build({
        entryPoints,
        outdir,
        absWorkingDir: this.dir,
        bundle: true,
        splitting: true,
        format: 'esm',
        platform: 'node',
        target: 'node20',
        outExtension: { '.js': '.mjs' },
        sourcemap: 'linked',
        sourcesContent: false,
        logLevel: 'silent',
        // Node's own conditions, so a package resolves to the file Node would load.
        conditions: [],
        mainFields: ['main'],
        define: { 'import.meta': '__floodgate_import_meta' },
        // CommonJS tools call require(); in an ES module it has to be made.
        banner: { js: "import { createRequire as __floodgateCreateRequire } from 'node:module'; const require = __floodgateCreateRequire(import.meta.url);" },
        plugins: [externals(this.imports), sourcePlaces(prefixes)]
      })
      const problems = result.warnings.filter(isUndefinedImport)
      if (problems.length > 0) throw Object.assign(new Error(problems[0]!.text), { errors: problems, warnings: [], prefixes })
    } catch (err) {
      if (isBuildFailure(err)) (err as BuildFailure & { prefixes?: Prefixes }).prefixes ??= prefixes
      throw err
    } finally {
      if (--building === 0) await stop()
    }
    entries.forEach((e, i) => this.outputs.set(e.file, join(outdir, `tool-${i}.mjs`)))
  }
}

function isBuildFailure(err: unknown): err is BuildFailure {
  return err instanceof Error && Array.isArray((err as Partial<BuildFailure>).errors)
}

// esbuild only warns when a TypeScript file imports a name its module does not export (it cannot tell a
// type from a value there); the tool would then call undefined: refuse it at load instead.
function isUndefinedImport(m: Message): boolean {
  return m.id === 'import-is-undefined'
}

// Packages and built-ins stay outside the build; `floodgate/tools` is this Floodgate's. The absolute path
// each bare name resolved to is remembered, to name the package again in Node's errors.
function externals(imports: Imports): Plugin {
  return {
    name: 'floodgate-externals',
    setup(b) {
      b.onResolve({ filter: /^floodgate\/tools$/ }, () => {
        imports.set(toolsPath, 'floodgate/tools')
        return { path: toolsPath, external: true }
      })
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        // Built-ins, and modules named by URL (file:, data:), which Node imports as they are.
        if (isBuiltin(args.path) || /^[a-z]+:/.test(args.path)) return { path: args.path, external: true }
        if (args.pluginData === 'floodgate-resolving') return undefined
        const found = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'floodgate-resolving' })
        if (found.errors.length > 0) return { errors: found.errors }
        imports.set(found.path, args.path)
        return { path: found.path, external: true }
      })
    }
  }
}

/** Per source file: what `import.meta` and `__dirname`/`__filename` name (the source, not the build). */
function sourcePlaces(prefixes: Prefixes): Plugin {
  return {
    name: 'floodgate-source-places',
    setup(b) {
      b.onLoad({ filter: SOURCE }, async (args) => {
        if (args.path.includes('/node_modules/')) return undefined
        const text = await readFile(args.path, 'utf8')
        const file = JSON.stringify(args.path)
        const dir = JSON.stringify(dirname(args.path))
        let prefix = ''
        if (text.includes('import.meta')) {
          prefix += `var __floodgate_import_meta = { url: ${JSON.stringify(pathToFileURL(args.path).href)}, dirname: ${dir}, filename: ${file} };`
        }
        if (usesUndeclared(text, '__dirname')) prefix += `var __dirname = ${dir};`
        if (usesUndeclared(text, '__filename')) prefix += `var __filename = ${file};`
        // Put on the first line (after a #! line), so that every line number esbuild reports stays the file's.
        const bang = text.startsWith('#!') ? text.indexOf('\n') + 1 : 0
        if (prefix) prefixes.set(args.path, { line: bang > 0 ? 2 : 1, length: prefix.length })
        return { contents: text.slice(0, bang) + prefix + text.slice(bang), loader: loaderFor(args.path) }
      })
    }
  }
}

/** CommonJS's module-scope name used and not declared by the file itself (an ES module often makes its own). */
function usesUndeclared(text: string, name: string): boolean {
  return new RegExp(`\\b${name}\\b`).test(text) && !new RegExp(`\\b(?:const|let|var)\\s+${name}\\b`).test(text)
}

function loaderFor(file: string): 'ts' | 'tsx' | 'js' | 'jsx' {
  const ext = extname(file)
  if (ext.endsWith('tsx')) return 'tsx'
  if (ext.endsWith('jsx')) return 'jsx'
  return ext.includes('t') ? 'ts' : 'js'
}
