// `floodgate mock`: runs the study's mock API and the OpenAI-compatible mock LLM until SIGTERM/SIGINT.
import type { Command } from 'commander'
import { latencyKinds, mockDefaults, startMock, type MockOptions } from '../mock/index.js'
import { untilStopSignal } from '../process/index.js'

interface MockFlags {
  host?: string
  port?: string
  minWait?: string
  maxWait?: string
  seed?: string
  latency?: string
  errorRate?: string
  errorStatus?: string
  resetRate?: string
  hangRate?: string
  workers?: string
  ttft?: string
  tokensPerSec?: string
  rateLimit?: string
  model?: string
}

export function registerMock(program: Command): void {
  const d = mockDefaults
  program
    .command('mock')
    .description("serve the study's mock API (GET /) and an OpenAI-compatible mock LLM (/v1), with fault injection")
    .option('--host <host>', `address to listen on (default ${d.host})`)
    .option('--port <port>', `port, 0 for any free one (default ${d.port})`)
    .option('--min-wait <s>', 'GET / minimum delay in seconds (default env MIN_WAIT_TIME_SEC, else 1)')
    .option('--max-wait <s>', 'GET / maximum delay in seconds (default env MAX_WAIT_TIME_SEC, else 1)')
    .option('--seed <n>', `seed of the delay and fault sequences; worker i uses seed + i (default ${d.seed})`)
    .option('--latency <kind>', `delay distribution: ${latencyKinds.join('|')} (default ${d.latency})`)
    .option('--error-rate <p>', 'fraction of requests (GET / and chat) answered with --error-status (default 0)')
    .option('--error-status <code>', `status of injected errors, 400-599 (default ${d.errorStatus})`)
    .option('--reset-rate <p>', 'fraction of requests whose connection is reset (default 0)')
    .option('--hang-rate <p>', 'fraction of requests never answered (default 0)')
    .option('--workers <n>', `processes sharing the port (default ${d.workers})`)
    .option('--ttft <s>', `LLM: seconds to the first token (default ${d.ttft})`)
    .option('--tokens-per-sec <n>', `LLM: tokens per second after the first (default ${d.tokensPerSec})`)
    .option('--rate-limit <rpm>', 'LLM: requests per minute before 429 + retry-after, 0 = none (default 0)')
    .option('--model <name>', `LLM: model id listed by /v1/models (default ${d.model})`)
    .addHelpText('after', '\nAlso: GET /stats (request counters), POST /stats/reset, GET /health, GET /v1/models.')
    .action(async (flags: MockFlags) => {
      const server = await startMock(optionsFromFlags(flags))
      process.stdout.write(`floodgate mock: listening on ${server.url}\n`)
      // A server's stop is its normal end: exit 0 (src/process/signals.ts).
      await untilStopSignal()
      await server.close()
      // Anything still holding the loop after close is a bug, not a reason to stay up.
      setTimeout(() => process.exit(0), 2_000).unref()
    })
}

/** Numbers are converted here; a value that is not a number is passed on as text so the one validation
 *  (src/mock/options.ts) reports it as given, e.g. `--error-rate must be ..., got "abc"`. */
function optionsFromFlags(f: MockFlags): Partial<MockOptions> {
  const num = (v: string | undefined) => (v === undefined ? undefined : numberOrText(v)) as number | undefined
  return {
    host: f.host,
    port: num(f.port),
    minWait: num(f.minWait),
    maxWait: num(f.maxWait),
    seed: num(f.seed),
    latency: f.latency as MockOptions['latency'] | undefined,
    errorRate: num(f.errorRate),
    errorStatus: num(f.errorStatus),
    resetRate: num(f.resetRate),
    hangRate: num(f.hangRate),
    workers: num(f.workers),
    ttft: num(f.ttft),
    tokensPerSec: num(f.tokensPerSec),
    rateLimit: num(f.rateLimit),
    model: f.model
  }
}

function numberOrText(v: string): number | string {
  const n = Number(v)
  return v.trim() !== '' && Number.isFinite(n) ? n : v
}
