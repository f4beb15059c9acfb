// Imports user tool modules (.ts, .mts, .js, .mjs). TypeScript tools need no build step: when Floodgate
// itself runs compiled, tsx's loader is registered in this thread the first time a .ts tool is imported
// (when it runs from source, tsx is already active). Each thread (main, every pool worker) calls this.
import { register } from 'node:module'
import { pathToFileURL } from 'node:url'
import { isSourceUrl, siblingUrl } from '../process/index.js'

const TS_FILE = /\.[cm]?ts$/
let aliasRegistered = false
let tsRegistered = isSourceUrl(import.meta.url)

async function prepare(file: string): Promise<void> {
  if (!aliasRegistered) {
    aliasRegistered = true
    const toolsUrl = siblingUrl('../tools/index', import.meta.url).href
    register(siblingUrl('tools-alias-hooks', import.meta.url), { data: { toolsUrl } })
  }
  if (!tsRegistered && TS_FILE.test(file)) {
    tsRegistered = true
    const tsx = await import('tsx/esm/api')
    tsx.register()
  }
}

/** Imports a module by absolute path, ready for TypeScript and for `import ... from 'floodgate/tools'`. */
export async function importFile(file: string): Promise<Record<string, unknown>> {
  await prepare(file)
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>
  // A .ts file outside any "type": "module" package is compiled to CommonJS by tsx; its ESM exports then
  // sit one level down, on module.exports marked __esModule.
  const inner = mod.default as Record<string, unknown> | undefined
  return inner !== null && typeof inner === 'object' && inner.__esModule === true ? inner : mod
}
