// Exported traces: `--trace otlp=<collector URL>` on run, batch runs and serve.
export { parseTraceFlag, TRACE_PROTOCOLS, type TraceOptions, type TraceProtocol } from './options.js'
export { RunTracer, traceSummary, type RunContext, type TracerStats } from './tracer.js'
export { CAPTURE_MAX } from './record.js'
