// Module loader hooks (registered with node:module `register`) that resolve `floodgate/tools`, imported
// by tool modules, to the tools module of the Floodgate running them. Tool folders may live anywhere (a
// user's project without Floodgate installed locally, or this repository run from source before a
// build), and sleepSync/httpGetSync must be the very same code the runtime ships.
import type { InitializeHook, ResolveHook } from 'node:module'

const SPECIFIER = 'floodgate/tools'
let toolsUrl = ''

export const initialize: InitializeHook<{ toolsUrl: string }> = (data) => {
  toolsUrl = data.toolsUrl
}

export const resolve: ResolveHook = (specifier, context, nextResolve) => {
  // Passed down the chain rather than answered here, so that a TypeScript loader registered before
  // these hooks (tsx, when running from source) still handles the resolved .ts file.
  return nextResolve(specifier === SPECIFIER && toolsUrl ? toolsUrl : specifier, context)
}
