// Sync tools reach the pool threads as one JavaScript build per tool, made once in the main thread.
// Loading the TypeScript source in every pool thread instead means a TypeScript loader and the
// floodgate/tools alias hook in each: Node 20 runs such hooks on a loader thread of its own per worker,
// about 30 MB apiece, so 8 workers x 8 threads came to 4 GiB. From source (tests, through tsx), the
// threads keep loading the source: the build would point at src/tools/*.ts, which needs tsx anyway.
import { build, stop, type Plugin } from 'esbuild'
import { mkdtemp, rm } from 'node:fs/promises'
import { isBuiltin } from 'node:module'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { StartupError, messageOf } from '../errors.js'
import { isSourceUrl, siblingUrl } from '../process/index.js'
import type { PoolTool } from '../flow/plan.js'

export interface PoolBuild {
  tools: PoolTool[]
  /** Removes the build's folder. */
  dispose(): Promise<void>
}

// Builds in progress in this process: esbuild's service (a child process of ~14 MiB that would live as
// long as the server) is stopped when the last one ends; a later build starts it again.
let building = 0

/** The tools as the pool threads should load them: built to JavaScript when Floodgate runs compiled. */
export async function buildPoolTools(tools: PoolTool[]): Promise<PoolBuild> {
  if (isSourceUrl(import.meta.url)) return { tools, dispose: async () => {} }
  const dir = await mkdtemp(join(tmpdir(), 'floodgate-pool-'))
  building++
  try {
    const built: PoolTool[] = []
    for (const [i, tool] of tools.entries()) {
      built.push({ ...tool, file: await buildOne(tool.file, join(dir, `${i}-${basename(tool.file)}.mjs`)), built: true })
    }
    return { tools: built, dispose: () => rm(dir, { recursive: true, force: true }) }
  } catch (err) {
    await rm(dir, { recursive: true, force: true })
    throw err
  } finally {
    if (--building === 0) await stop()
  }
}

async function buildOne(file: string, outfile: string): Promise<string> {
  try {
    await build({
      entryPoints: [file],
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
      // The tool keeps seeing its own location (files it reads beside itself, say).
      define: { 'import.meta.url': JSON.stringify(pathToFileURL(file).href) },
      plugins: [externals]
    })
  } catch (err) {
    throw new StartupError(`${file}: could not prepare the sync tool for the pool: ${messageOf(err)}`, { file }, { cause: err })
  }
  return outfile
}

const toolsPath = fileURLToPath(siblingUrl('../tools/index', import.meta.url))

// Packages stay outside the build, imported by absolute path (the build lives in a temporary folder,
// where a bare name would not resolve); the tool's own relative imports are bundled.
const externals: Plugin = {
  name: 'floodgate-pool-externals',
  setup(b) {
    b.onResolve({ filter: /^floodgate\/tools$/ }, () => ({ path: toolsPath, external: true }))
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (isBuiltin(args.path)) return { path: args.path, external: true }
      if (args.pluginData === 'floodgate-resolving') return undefined
      const found = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'floodgate-resolving' })
      if (found.errors.length > 0) return { errors: found.errors }
      return { path: found.path, external: true }
    })
  }
}
