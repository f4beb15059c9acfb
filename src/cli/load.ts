// `floodgate load <url>`: flags -> runLoad -> live console / JSON-lines progress -> outputs and thresholds.
import { availableParallelism } from 'node:os'
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Command } from 'commander'
import { ThresholdError, UsageError } from '../errors.js'
import { interruptedExitCode, onStopSignal, type StopSignal } from '../process/index.js'
import {
  evaluateThresholds, parseCount, parseDuration, parseHeader, parseRate, parseSeconds, parseThreshold, runLoad,
  type LoadOptions, type LoadResult, type LoadTick, type Threshold
} from '../load/index.js'
import { applyShard, CPU_WARNING, parseArrival, parseBurstiness, parseShard, parseStreamMode } from '../load/index.js'
import { finalReport, liveLine, writeLlmCsv, writeLoadHtml, writeLocustCsv } from '../report/index.js'
import { uiOptions, type UiFlags } from '../ui/options.js'
import { addUiFlags } from './ui-flags.js'

/** The command's flags as commander gives them (exported for tests of their checks). */
export interface Flags extends UiFlags {
  /** Whether --run-time was on the command line (with --ui, the test then starts at once). */
  runTimeGiven?: boolean
  method?: string
  body?: string
  bodyFile?: string
  header: string[]
  name?: string
  users?: string
  spawnRate?: string
  runTime: string
  wait?: string
  rate?: string
  rampTo?: string
  maxInFlight?: string
  timeout?: string
  processes?: string
  csv?: string
  json?: string
  html?: string
  threshold: string[]
  scenario?: string
  quiet?: boolean
  progress?: string
  shard?: string
  stream?: string
  openai?: string
  model?: string
  prompts?: string
  promptWords?: string
  maxTokens?: string
  slo: string[]
  arrival?: string
  burstiness?: string
  seed?: string
  drain?: string
}

const collect = (value: string, previous: string[]) => [...previous, value]

/** Flags -> LoadOptions; every bad value is a UsageError naming its flag. */
export function toOptions(url: string | undefined, f: Flags): LoadOptions {
  const headers: Record<string, string> = {}
  for (const h of f.header) {
    const [k, v] = parseHeader(h)
    headers[k] = v
  }
  const options: LoadOptions = { url: targetOf(url, f), headers, runTime: parseDuration(f.runTime) }
  streamingOptions(options, f)
  if (f.method) options.method = f.method
  if (f.body !== undefined) options.body = f.body
  if (f.bodyFile !== undefined) options.bodyFile = f.bodyFile
  if (f.name) options.name = f.name
  if (f.users !== undefined) options.users = parseCount(f.users, '--users')
  if (f.spawnRate !== undefined) options.spawnRate = parseRate(f.spawnRate, '--spawn-rate')
  if (f.wait !== undefined) options.wait = f.wait
  if (f.rate !== undefined) options.rate = parseRate(f.rate, '--rate')
  if (f.rampTo !== undefined) options.rampTo = parseRate(f.rampTo, '--ramp-to')
  if (f.maxInFlight !== undefined) options.maxInFlight = parseCount(f.maxInFlight, '--max-in-flight')
  if (f.timeout !== undefined) options.timeoutSec = parseSeconds(f.timeout, '--timeout')
  if (f.processes !== undefined) options.processes = f.processes === 'auto' ? availableParallelism() : parseCount(f.processes, '--processes')
  if (f.scenario) options.scenario = f.scenario
  // Without --users, Locust's spawn rate default (1/s) would make the ramp the whole run: start them at once.
  if (options.spawnRate === undefined) options.spawnRate = options.users ?? 1
  return options
}

/** The positional URL, or with --openai none (the requests go to its chat completions). */
function targetOf(url: string | undefined, f: Flags): string {
  if (f.openai !== undefined && url !== undefined) {
    throw new UsageError(`give either <url> or --openai BASE_URL, not both: --openai sends its requests to BASE_URL/chat/completions (got ${url})`, { flag: '--openai' })
  }
  if (f.openai === undefined && url === undefined) {
    throw new UsageError('missing <url>: the URL to load, or --openai BASE_URL --model MODEL for an OpenAI-compatible server', { flag: '<url>' })
  }
  return url ?? f.openai!
}

function streamingOptions(options: LoadOptions, f: Flags): void {
  if (f.openai === undefined) {
    const stray = ([['--model', f.model], ['--prompts', f.prompts], ['--prompt-words', f.promptWords], ['--max-tokens', f.maxTokens]] as const)
      .find(([, v]) => v !== undefined)
    if (stray) throw new UsageError(`${stray[0]} needs --openai BASE_URL: it shapes the chat-completion requests --openai sends`, { flag: stray[0] })
  } else {
    options.openai = { baseUrl: f.openai }
    if (f.model !== undefined) options.openai.model = f.model
    if (f.prompts !== undefined) options.openai.prompts = f.prompts
    if (f.promptWords !== undefined) options.openai.promptWords = parseCount(f.promptWords, '--prompt-words')
    if (f.maxTokens !== undefined) options.openai.maxTokens = parseCount(f.maxTokens, '--max-tokens')
  }
  if (f.stream !== undefined) options.stream = parseStreamMode(f.stream)
  if (f.slo.length) options.slo = f.slo
  if (f.arrival !== undefined) options.arrival = parseArrival(f.arrival)
  if (f.burstiness !== undefined) options.burstiness = parseBurstiness(f.burstiness)
  if (f.seed !== undefined) options.seed = parseCount(f.seed, '--seed', 0)
  if (f.drain !== undefined) options.drainSec = /^\s*0*(\.0*)?\s*s?\s*$/.test(f.drain) ? 0 : parseDuration(f.drain, '--drain')
}

/** Flags -> LoadOptions, with --shard's part applied. */
export function optionsOf(url: string | undefined, f: Flags): LoadOptions {
  return f.shard === undefined ? toOptions(url, f) : applyShard(toOptions(url, f), parseShard(f.shard))
}

export function progressLine(tick: LoadTick): string {
  const p = tick.point
  const llm = p.llm ? { ttftP50: p.llm.ttftP50, tokensPerSec: Math.round(p.llm.tokensPerSec * 10) / 10 } : {}
  return JSON.stringify({
    t: p.t, elapsedSec: Math.round(tick.elapsedSec * 1000) / 1000, totalSec: tick.totalSec, users: p.users,
    rps: Math.round(p.rps * 100) / 100, p50: p.p50, p95: p.p95, failures: p.totalFailures, requests: p.totalRequests, ...llm
  }) + '\n'
}

/** Writes what --json, --csv and --html ask for; returns the files written. */
export async function writeOutputs(f: Flags, result: LoadResult, outcomes: ReturnType<typeof evaluateThresholds>, log: (s: string) => void): Promise<string[]> {
  const written: string[] = []
  if (f.json) {
    await mkdir(dirname(f.json), { recursive: true })
    await writeFile(f.json, JSON.stringify({ ...result, thresholds: outcomes }, null, 2) + '\n')
    log(`Wrote ${f.json}`)
    written.push(f.json)
  }
  if (f.csv) {
    const files = [...await writeLocustCsv(f.csv, result), ...await writeLlmCsv(f.csv, result)]
    log(`Wrote ${files.join(', ')}`)
    written.push(...files)
  }
  if (f.html) {
    await writeLoadHtml(f.html, result, outcomes)
    log(`Wrote ${f.html}`)
    written.push(f.html)
  }
  return written
}

/** The console's side of each tick: the CPU warning, and a line every 2 s (or JSON lines every second). */
export function tickPrinter(f: Flags, mode: 'closed' | 'open'): (tick: LoadTick) => void {
  let ticks = 0
  return (tick) => {
    if (tick.cpuWarning) process.stderr.write(`${CPU_WARNING}\n`)
    if (f.progress === 'jsonl') process.stdout.write(progressLine(tick))
    else if (!f.quiet && ++ticks % 2 === 0) process.stdout.write(`${liveLine(tick, mode)}\n`)
  }
}

async function runCommand(url: string | undefined, f: Flags): Promise<void> {
  if (f.progress !== undefined && f.progress !== 'jsonl') {
    throw new UsageError(`invalid --progress "${f.progress}": the only format is jsonl`, { flag: '--progress' })
  }
  const jsonl = f.progress === 'jsonl'
  const thresholds: Threshold[] = f.threshold.map((text) => parseThreshold(text))
  const ui = uiOptions(f)
  // The page's server (fastify, esbuild) loads only for --ui: a plain run and a usage error start sooner.
  if (ui) return (await import('./load-ui.js')).runLoadUi(url, f, ui, thresholds, { optionsOf, tickPrinter, writeOutputs })
  const options = optionsOf(url, f)
  const out = (s: string) => process.stdout.write(s)
  const log = (s: string) => (jsonl ? process.stderr : process.stdout).write(`${s}\n`)

  const controller = new AbortController()
  let signal: StopSignal | undefined
  const removeSignalListeners = onStopSignal((s) => {
    signal = s
    process.stderr.write(`\n${s}: stopping users, letting requests in flight finish (up to 2 s), writing outputs...\n`)
    controller.abort()
  })
  const onTick = tickPrinter(f, options.rate === undefined ? 'closed' : 'open')
  let result: LoadResult
  try {
    result = await runLoad(options, { onTick, signal: controller.signal })
  } finally {
    removeSignalListeners()
  }
  const outcomes = evaluateThresholds(result, thresholds)
  await writeOutputs(f, result, outcomes, log)
  if (!jsonl) out(finalReport(result, outcomes))
  if (signal) {
    process.stderr.write(`Run interrupted by ${signal}: outputs cover the ${result.durationSec.toFixed(1)} s that ran.\n`)
    process.exitCode = interruptedExitCode(signal)
    return
  }
  const failed = outcomes.filter((o) => !o.passed)
  if (failed.length) {
    throw new ThresholdError(`${failed.length} of ${outcomes.length} threshold(s) failed: ${failed.map((o) => o.threshold.text).join(', ')}`)
  }
}

export function registerLoad(program: Command): void {
  const command = program
    .command('load')
    .description('Load-test an HTTP endpoint (Locust-compatible user model and CSV output)')
    .argument('[url]', 'the URL each user requests (its origin for --scenario); not with --openai')
    .option('--method <method>', 'HTTP method (default GET, or POST with a body)')
    .option('--body <json>', 'request body (sent as application/json when it is JSON)')
    .option('--body-file <file>', 'request body from a file')
    .option('--header <"Name: value">', 'request header (repeatable)', collect, [])
    .option('--name <name>', "Locust's Name column (default: the URL path)")
    .option('--users <n>', 'closed loop: number of users (default 1)')
    .option('--spawn-rate <r>', 'users started per second (default: all at once)')
    .option('--run-time <duration>', 'run time from start: 30s, 5m, 1h30m', '60s')
    .option('--wait <spec>', 'wait after each request: between:MIN,MAX | constant:S | throughput:R | pacing:S | none', 'none')
    .option('--rate <rps>', 'open loop: requests per second (latency from the intended send time)')
    .option('--ramp-to <rps>', 'open loop: ramp the rate linearly to this by the end of the run')
    .option('--max-in-flight <n>', 'open loop: requests in flight at most; more are dropped and counted (default 1000)')
    .option('--timeout <s>', 'seconds to wait for a response (headers, then between body chunks)', '60')
    .option('--processes <p>', 'generator processes on this machine, or "auto" (one per core)')
    .option('--csv <prefix>', "write Locust's PREFIX_stats.csv, _stats_history.csv, _failures.csv, _exceptions.csv")
    .option('--json <file>', 'write the full result (with encoded histograms) as JSON')
    .option('--html <file>', 'write a self-contained HTML report')
    .option('--threshold <expr>', 'pass/fail check, e.g. p95<2000, fail_ratio<0.01, rps>=200, ttft_p99<800, itl_p50<30, goodput>10, tokens_per_s>500 (repeatable; exit 99 on failure)', collect, [])
    .option('--scenario <file>', 'module whose default export is async (user) => {...}')
    .option('--quiet', 'no live console lines')
    .option('--progress <format>', 'machine-readable progress on stdout: jsonl (one JSON line per second, nothing else)')
    .option('--shard <I/N>', 'run part I (0-based) of N equal parts of this load (users, spawn rate, rate divided); merge the --json files with floodgate merge')
    .option('--openai <base-url>', 'load an OpenAI-compatible server (e.g. http://127.0.0.1:8000/v1) with streaming chat completions; needs --model')
    .option('--model <name>', '--openai: the model every request names')
    .option('--prompts <file.jsonl>', '--openai: prompts, one {"prompt": ...} or {"messages": [...]} per line, cycled')
    .option('--prompt-words <n>', '--openai: synthetic prompts of N words instead (default 32)')
    .option('--max-tokens <n>', '--openai: max_tokens of every request (default: the server\'s)')
    .option('--stream <mode>', 'read responses as event streams: auto (text/event-stream), sse, openai (every 2xx response), none (default auto; openai with --openai)')
    .option('--slo <expr>', 'goodput target per request, e.g. ttft<500, itl<50, tpot<40, e2e<5000 (ms; repeatable)', collect, [])
    .option('--arrival <kind>', 'open loop: constant (default) or poisson arrivals')
    .option('--burstiness <b>', 'open loop, random arrivals: gamma shape of the gaps (1 = Poisson, < 1 burstier, > 1 more regular)')
    .option('--seed <n>', 'seed of random arrivals and synthetic prompts (default 42)')
    .option('--drain <duration>', 'how long requests in flight may finish after the run time (default 2s)')
  addUiFlags(command, 'the test; without --run-time the test is started from the page')
    .action((url: string | undefined, flags: Flags, cmd: Command) => runCommand(url, { ...flags, runTimeGiven: cmd.getOptionValueSource('runTime') === 'cli' }))
}
