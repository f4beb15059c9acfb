// `floodgate/tools`: helpers for tool modules. Sync tools (plain functions, run on a pool thread) use the
// blocking ones; async tools use the others and pass along the AbortSignal they receive. This folder is
// the public API only; the code is in src/tool-runtime.
export { sleepSync, sleep, httpGetSync, prepareHttpGetSync, httpGet, type AsyncHttpGetOptions, type HttpResponse, type HttpGetOptions } from '../tool-runtime/index.js'
export type { ToolContext } from './context.js'
