// `floodgate serve <flow-dir>`: host a flow over HTTP with pf serve's API (see src/serve).
import { InvalidArgumentError, Option, type Command } from 'commander'
import { serveCommand } from '../serve/command.js'
import { LOG_LEVELS } from '../serve/options.js'
import { TRACE_PROTOCOLS } from '../trace/index.js'

interface ServeFlags {
  host: string
  port: number
  workers?: number
  threads?: number
  maxConcurrency?: number
  queue?: number
  timeout?: number
  apiKey?: string
  apiKeyFile?: string
  logLevel: string
  bodyLimit?: number
  grace?: number
  headerTimeout?: number
  idleTimeout?: number
  maxConnections?: number
  trace?: string
  traceProtocol?: string
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description("serve a flow over HTTP with PromptFlow's API (POST /score, /health, /swagger.json, /metrics)")
    .argument('<flow-dir>', 'folder holding flow.dag.yaml or flow.flex.yaml')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 = any free port)', integer(0), 8080)
    .option('--workers <n>', 'processes (default: env PROMPTFLOW_WORKER_NUM, else the number of cores)', integer(1))
    .option('--threads <n>', 'runs with sync tools each worker executes at once, as in pf serve (default: env PROMPTFLOW_WORKER_THREADS, else 4)', integer(1))
    .option('--max-concurrency <n>', 'flow runs in progress per worker, 0 = unlimited (default: 10000 for async flows, --threads for flows with sync tools)', integer(0))
    .option('--queue <n>', 'runs waiting per worker beyond --max-concurrency; more get 503 (default: 1000 async, an eighth of --threads sync)', integer(0))
    .option('--timeout <seconds>', 'per-request timeout, queue wait included; the run is aborted and the client gets 504 (0 = none)', seconds, 300)
    .addOption(new Option('--api-key <key>', 'require this key (Authorization: Bearer <key>) on /score and /feedback; visible to ps: prefer --api-key-file or env FLOODGATE_API_KEY').conflicts('apiKeyFile'))
    .option('--api-key-file <file>', 'read the key from this file (default: env FLOODGATE_API_KEY)')
    .addOption(new Option('--log-level <level>', 'pino log level; one line per request at info').choices(LOG_LEVELS).default('info'))
    .option('--body-limit <bytes>', 'largest request body; larger ones get 413', integer(1), 1024 * 1024)
    .option('--grace <seconds>', 'on SIGTERM/SIGINT, how long runs in progress may take to finish', seconds, 30)
    .option('--header-timeout <seconds>', 'time a client may take to send its request headers, then 408 (0 = none)', seconds, 10)
    .option('--idle-timeout <seconds>', 'time an idle keep-alive connection stays open', positiveSeconds, 72)
    .option('--max-connections <n>', 'connections per worker; beyond, the one waiting longest for a request is closed, else 503 (0 = no cap; default: the open-file limit less a reserve)', integer(0))
    .option('--trace <otlp=url>', 'export each run as an OpenTelemetry trace to an OTLP/HTTP collector, e.g. otlp=http://127.0.0.1:4318 (default: none)')
    .option('--trace-protocol <protocol>', `how --trace sends: ${TRACE_PROTOCOLS.join(' or ')} (default: env OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf)`)
    .action(async (flowDir: string, flags: ServeFlags) => {
      await serveCommand({
        flowDir,
        host: flags.host,
        port: flags.port,
        workers: flags.workers,
        threads: flags.threads,
        maxConcurrency: flags.maxConcurrency,
        queue: flags.queue,
        timeoutSeconds: flags.timeout,
        apiKey: flags.apiKey,
        apiKeyFile: flags.apiKeyFile,
        logLevel: flags.logLevel,
        bodyLimit: flags.bodyLimit,
        graceSeconds: flags.grace,
        headerTimeoutSeconds: flags.headerTimeout,
        idleTimeoutSeconds: flags.idleTimeout,
        maxConnections: flags.maxConnections,
        trace: flags.trace,
        traceProtocol: flags.traceProtocol
      })
    })
}

function integer(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value)
    if (value.trim() === '' || !Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number of at least ${min}, got "${value}"`)
    return n
  }
}

function seconds(value: string): number {
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected a number of seconds (0 or more), got "${value}"`)
  return n
}

function positiveSeconds(value: string): number {
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a number of seconds above 0, got "${value}"`)
  return n
}
