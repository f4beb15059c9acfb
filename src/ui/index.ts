// The live web page (`--ui`): its server, the sessions that feed it (a load test, a bench, a command's
// own status), and the flags' options. The page's browser script (client/) is bundled by assets.ts.
export { DEFAULT_UI_HOST, DEFAULT_UI_PORT, uiOptions, type UiFlags, type UiOptions } from './options.js'
export { startUiServer, type UiServer } from './server.js'
export { LoadSession } from './load-session.js'
export { BenchSession } from './bench-session.js'
export { serveStatusPage, type StatusSession } from './status-session.js'
