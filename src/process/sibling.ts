// Finds a file next to the calling module whether Floodgate runs compiled (dist/*.js) or from source
// through tsx (src/*.ts). Every child process, worker thread and loader hook Floodgate starts is found
// this way: one lookup, so the two ways of running never disagree about where an entry is.
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
