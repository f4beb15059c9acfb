// `floodgate capacity [bench.yaml]`: the highest load a variant (or --target URL) holds within its SLOs.
// Exit 0 when a capacity was found (also "at least" the upper bound), 99 when even the lowest load misses
// the SLO, 2 on bad usage, 1 when the search failed or found nothing, 130 / 143 on SIGINT / SIGTERM (what
// was found is written first). With --ui, Stop on the page counts as Ctrl-C (130), as for bench --ui.
import type { Command } from 'commander'
import { FloodgateError, messageOf, ThresholdError } from '../errors.js'
import { parseCount, parseDuration, parseHeader, parseRate, parseSeconds } from '../load/index.js'
import { interruptedExitCode, onStopSignal, untilStopSignal, type StopSignal } from '../process/index.js'
import { uiOptions, type UiFlags } from '../ui/options.js'
import {
  calibrationLine, DEFAULT_BUDGET_SEC, findingLines, loadText, progressLine, resolveCapacity, runCapacity, StepPrinter, stepLine,
  type BenchCapacitySettings, type CapacityLoadFlags, type CapacityOptions, type CapacityRun
} from '../capacity/index.js'
import type { CapacityPage } from './capacity-ui.js'
import { addUiFlags } from './ui-flags.js'

interface Flags extends UiFlags {
  variant?: string
  target?: string
  slo: string[]
  mode?: string
  maxUsers?: string
  maxRate?: string
  stepTime?: string
  budget?: string
  out?: string
  method?: string
  body?: string
  bodyFile?: string
  header: string[]
  name?: string
  wait?: string
  timeout?: string
  processes?: string
  maxInFlight?: string
  requestSlo?: string[]
}

const collect = (value: string, previous: string[]) => [...previous, value]

/** The search's flags, shared with `floodgate bench --capacity`. */
export type SearchFlags = Pick<Flags, 'slo' | 'mode' | 'maxUsers' | 'maxRate' | 'stepTime' | 'budget'>

export function searchOptions(f: SearchFlags): BenchCapacitySettings {
  const options: BenchCapacitySettings = { slo: f.slo }
  if (f.mode !== undefined) options.mode = f.mode as CapacityOptions['mode']
  if (f.maxUsers !== undefined) options.maxUsers = parseCount(f.maxUsers, '--max-users')
  if (f.maxRate !== undefined) options.maxRate = parseRate(f.maxRate, '--max-rate')
  if (f.stepTime !== undefined) options.stepTimeSec = parseDuration(f.stepTime, '--step-time')
  if (f.budget !== undefined) options.budgetSec = parseDuration(f.budget, '--budget')
  return options
}

/** The search's options on a command: `floodgate capacity`'s, and `floodgate bench --capacity`'s. */
export function searchFlagsOn(command: Command): Command {
  return command
    .option('--slo <expr>', 'an SLO in the threshold syntax of floodgate load, e.g. p99<1500 or fail_ratio<0.001 (repeatable)', collect, [])
    .option('--mode <mode>', 'users (closed loop, with the wait between requests) or rate (open loop)')
    .option('--max-users <n>', 'upper bound of --mode users (default 10000)')
    .option('--max-rate <rps>', 'upper bound of --mode rate, requests/s (default 10000)')
    .option('--step-time <t>', "each step's run time, e.g. 30s (default: its ramp, then 10-30 s measured)")
    .option('--budget <t>', 'total time of the search, start-up included (default 5m)')
}

export function capacityOptions(file: string | undefined, f: Flags): CapacityOptions {
  const load: CapacityLoadFlags = {}
  if (f.method !== undefined) load.method = f.method
  if (f.body !== undefined) load.body = f.body
  if (f.bodyFile !== undefined) load.bodyFile = f.bodyFile
  if (f.header.length) load.headers = Object.fromEntries(f.header.map(parseHeader))
  if (f.name !== undefined) load.name = f.name
  if (f.wait !== undefined) load.wait = f.wait
  if (f.timeout !== undefined) load.timeoutSec = parseSeconds(f.timeout, '--timeout')
  if (f.processes !== undefined) load.processes = parseCount(f.processes, '--processes')
  if (f.maxInFlight !== undefined) load.maxInFlight = parseCount(f.maxInFlight, '--max-in-flight')
  if (f.requestSlo?.length) load.requestSlo = f.requestSlo
  const options: CapacityOptions = { ...searchOptions(f), load }
  if (file !== undefined) options.file = file
  if (f.variant !== undefined) options.variant = f.variant
  if (f.target !== undefined) options.target = f.target
  if (f.out !== undefined) options.out = f.out
  return options
}

async function runCommand(file: string | undefined, f: Flags): Promise<void> {
  const options = capacityOptions(file, f)
  const ui = uiOptions(f)
  const controller = new AbortController()
  let signal: StopSignal | undefined
  let pageStopped = false
  const removeSignalListeners = onStopSignal((s) => {
    signal = s
    process.stderr.write(`\n${s}: stopping the running step (what was found is kept and written)...\n`)
    controller.abort()
  })
  const printer = new StepPrinter()
  const budget = options.budgetSec ?? DEFAULT_BUDGET_SEC
  const unit = options.mode === 'rate' ? 'rps' : 'users'
  let page: CapacityPage | null = null
  let run: CapacityRun | null = null
  try {
    if (ui) {
      // Every flag and the bench file are checked before the page opens (the search checks them again).
      const { plan } = resolveCapacity(options)
      // The page's server (fastify, esbuild) loads only for --ui: a search without it starts sooner.
      page = await (await import('./capacity-ui.js')).openCapacityPage(ui, `Floodgate capacity: ${options.target ?? plan.name}`, unit, budget, () => {
        if (controller.signal.aborted) return
        pageStopped = true
        process.stderr.write('\nstopped from the live page: stopping the running step (what was found is kept and written)...\n')
        controller.abort()
      })
    }
    try {
      run = await runCapacity({
        ...options,
        signal: controller.signal,
        onCalibrated: (c, p, shape) => {
          printer.line(calibrationLine(c, p, shape))
          page?.hooks.onCalibrated(c, p, shape)
        },
        onProgress: (index, load, p) => {
          printer.progress(progressLine(index, loadText(load, unit), p))
          page?.hooks.onProgress(index, load, p)
        },
        onStep: (step, elapsed) => {
          printer.line(stepLine(step, elapsed, budget))
          page?.hooks.onStep(step, elapsed)
        }
      })
    } catch (err) {
      page?.finished(null, messageOf(err))
      throw err
    }
    page?.finished(run, null)
    const found = run.file
    for (const line of findingLines(found)) printer.line(line)
    printer.line(`report: ${run.written.markdown}\n        ${run.written.html}\n        ${run.written.json}`)
    if (signal || pageStopped) {
      process.exitCode = interruptedExitCode(signal ?? 'SIGINT')
      return
    }
    if (found.capacity) return
    if (found.stop_reason === 'lowest-failed') throw new ThresholdError(found.summary)
    throw new FloodgateError(`no capacity found: ${found.summary}`)
  } finally {
    removeSignalListeners()
    if (page) {
      // As bench --ui: the page stays up for its downloads until Ctrl-C, unless Ctrl-C ended the search.
      if (run && !signal) {
        process.stdout.write('The live page stays up for its downloads: Ctrl-C to quit.\n')
        await untilStopSignal()
      }
      await page.close()
    }
  }
}

export function registerCapacity(program: Command): void {
  const command = program
    .command('capacity')
    .argument('[bench.yaml]', 'the variants (default: the study, examples/promptflow-serve/bench.yaml)')
    .description('find the highest load a variant (or --target URL) holds within its SLOs, and what saturates there')
    .option('--variant <name>', 'the variant of the bench file to measure (needed when it has several)')
    .option('--target <url>', 'measure an already running service at this URL instead (not sampled)')
  searchFlagsOn(command)
    .option('--out <dir>', 'output folder (default reports/capacity-<timestamp>/)')
    .option('--method <method>', 'HTTP method (load flags: they override the bench file\'s profile)')
    .option('--body <json>', 'request body')
    .option('--body-file <file>', 'request body from a file')
    .option('--header <"Name: value">', 'request header (repeatable)', collect, [])
    .option('--name <name>', "Locust's Name column")
    .option('--wait <spec>', 'users\' wait after each response: between:MIN,MAX | constant:S | throughput:R | pacing:S | none')
    .option('--timeout <s>', 'seconds to wait for a response')
    .option('--processes <p>', 'generator processes per step')
    .option('--request-slo <expr>', 'goodput\'s per-request target, e.g. ttft<500 (floodgate load\'s --slo; repeatable), for --slo goodput>N', collect, [])
    .option('--max-in-flight <n>', '--mode rate: requests in flight at most (default: four times what the slowest allowed response keeps in flight)')
  addUiFlags(command, 'the search (calibration, each step as it ends, the running step\'s charts, the finding, Stop); it stays up after the search until Ctrl-C')
    .action((file: string | undefined, flags: Flags) => runCommand(file, flags))
}

