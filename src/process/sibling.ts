// Finds a file next to the calling module whether Floodgate runs compiled (dist/*.js) or from source
// through tsx (src/*.ts): workers, loader hooks and helper threads are started from such paths.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** URL of `<name>.js` beside `base`, or of `<name>.ts` when only the source exists. */
export function siblingUrl(name: string, base: string): URL {
  const js = new URL(`./${name}.js`, base)
  if (existsSync(fileURLToPath(js))) return js
  return new URL(`./${name}.ts`, base)
}

/** True when the module at `url` is TypeScript source, i.e. a TypeScript loader (tsx) is active here. */
export function isSourceUrl(url: string): boolean {
  return /\.[cm]?ts$/.test(url)
}

/**
 * execArgv for a worker thread whose entry is `entry`. From source the entry is TypeScript, and Node 20
 * workers do not inherit the `--import tsx` of the parent (tsx registers itself on the main thread only),
 * so the worker gets an --import that registers tsx's loader before its entry loads.
 */
export function workerExecArgv(entry: URL): string[] {
  if (!isSourceUrl(entry.href)) return process.execArgv
  const api = import.meta.resolve('tsx/esm/api')
  const boot = `import { register } from ${JSON.stringify(api)}; register()`
  return [...process.execArgv, '--import', `data:text/javascript,${encodeURIComponent(boot)}`]
}
