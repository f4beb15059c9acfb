// `floodgate/tools`: helpers for tool modules. Sync tools (plain functions, run on a pool thread) use the
// blocking ones; async tools use the others and pass along the AbortSignal they receive.
export { sleepSync, sleep } from './sleep.js'
export { httpGetSync, prepareHttpGetSync } from './http-sync.js'
export { httpGet, type AsyncHttpGetOptions } from './http.js'
export type { HttpResponse, HttpGetOptions } from './response.js'
export type { ToolContext } from './context.js'
