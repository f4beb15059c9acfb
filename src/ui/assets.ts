// The page's scripts, all served by the generator (the page works offline): ECharts from node_modules
// (the build the HTML report inlines), and the page's own script bundled once by esbuild from
// client/main (.ts from source, the .js tsc built in dist/), with the report's chart options inside.
import { build, stop } from 'esbuild'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { StartupError, messageOf } from '../errors.js'

export interface Assets {
  echarts: string
  script: string
}

let assets: Promise<Assets> | undefined

function clientEntry(): string {
  const js = fileURLToPath(new URL('./client/main.js', import.meta.url))
  return existsSync(js) ? js : fileURLToPath(new URL('./client/main.ts', import.meta.url))
}

async function bundle(): Promise<string> {
  try {
    const out = await build({
      entryPoints: [clientEntry()], bundle: true, write: false, format: 'iife', target: 'es2020',
      platform: 'browser', minify: true, logLevel: 'silent', legalComments: 'none'
    })
    return out.outputFiles[0]!.text
  } catch (err) {
    throw new StartupError(`cannot prepare the --ui page's script: ${messageOf(err)}`, {}, { cause: err })
  } finally {
    // esbuild's service is a child process: not kept for the length of a load test.
    await stop()
  }
}

/** Read and built once per process, before the page is first served. */
export function loadAssets(): Promise<Assets> {
  assets ??= bundle().then((script) => ({
    script,
    echarts: readFileSync(createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js'), 'utf8')
  }))
  return assets
}
