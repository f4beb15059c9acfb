// What runs beneath tool code: the helpers `floodgate/tools` publishes (src/tools re-exports them; tool
// modules import only that), the serving side of httpGetSync that the pool's main thread runs, and how a
// tool module's exports are read, the same in every thread (src/flow's tool build makes the modules).
export { sleepSync, sleep } from './sleep.js'
export { httpGetSync, prepareHttpGetSync, POOL_THREAD } from './http-sync.js'
export { httpGet, fetchText, type AsyncHttpGetOptions } from './http.js'
export type { HttpResponse, HttpGetOptions } from './response.js'
export { isHttpChannelMessage, serveHttpJobs } from './http-serve.js'
export { moduleExports } from './tool-module.js'
export { detached } from './detached.js'
