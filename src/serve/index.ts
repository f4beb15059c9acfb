// Public API of src/serve: build the app, run one server in-process, or run the `floodgate serve` command.
export { buildApp, type AppOptions, type FloodgateApp } from './app.js'
export { startServer, type RunningServer, type StartServerOptions } from './server.js'
export { serveCommand, readyLine } from './command.js'
export { startCluster, type ClusterHandle } from './cluster.js'
export { admissionDefaults, resolveServeOptions, type ServeOptions, type ResolvedServeOptions } from './options.js'
export { mapError, type ErrorEnvelope } from './errors.js'
