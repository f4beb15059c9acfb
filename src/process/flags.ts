// How to start another `floodgate` process: this Node binary, its loader flags (tsx when running from
// source), and the entry beside this file (.js in dist/, .ts in src/).
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** Flags of this process a child must not inherit: the test runner's, the debugger's, watch mode. */
const NOT_INHERITED = /^--(test|inspect|watch|experimental-test)/

export function floodgateCommand(): { command: string; args: string[] } {
  const js = fileURLToPath(new URL('./child-entry.js', import.meta.url))
  const entry = existsSync(js) ? js : fileURLToPath(new URL('./child-entry.ts', import.meta.url))
  const execArgv = process.execArgv.filter((a) => !NOT_INHERITED.test(a))
  // Started from source without tsx in the flags (e.g. a programmatic caller): add it.
  if (entry.endsWith('.ts') && !execArgv.some((a) => a.includes('tsx'))) execArgv.push('--import', 'tsx')
  return { command: process.execPath, args: [...execArgv, entry] }
}
