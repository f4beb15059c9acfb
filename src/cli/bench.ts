// `floodgate bench [bench.yaml]`: re-runs the study (or the user's matrix), prints progress and the
// comparison tables, and writes the report. Exit 0 when every variant ran, 1 when one failed; stopped by a
// signal, it keeps what ran and exits 130 (SIGINT, Ctrl-C) or 143 (SIGTERM).
import type { Command } from 'commander'
import { UsageError } from '../errors.js'
import { interruptedExitCode, onStopSignal, untilStopSignal, type StopSignal } from '../process/index.js'
import { parseCount, parseDuration, parseRate } from '../load/index.js'
import { ProgressPrinter, runBench, type RunBenchOptions } from '../bench/index.js'
import { fmtRate, terminalReport } from '../report/index.js'
import type { BenchSession, UiServer } from '../ui/index.js'
import { uiOptions, type UiFlags } from '../ui/options.js'
import {
  calibrationLine, DEFAULT_BUDGET_SEC, findingLines, loadText, progressLine, runBenchCapacity, StepPrinter, stepLine,
  type BenchCapacityOptions
} from '../capacity/index.js'
import { searchFlagsOn, searchOptions, type SearchFlags } from './capacity.js'
import { addUiFlags, uiBanner } from './ui-flags.js'

interface Flags extends SearchFlags, UiFlags {
  capacity?: boolean
  out?: string
  users?: string
  spawnRate?: string
  runTime?: string
  full?: boolean
  only: string[]
  target?: string
}

const collect = (value: string, previous: string[]) => [...previous, ...value.split(',').filter(Boolean)]

export function benchOptions(file: string | undefined, flags: Flags): RunBenchOptions | BenchCapacityOptions {
  const options: RunBenchOptions = { full: Boolean(flags.full), only: flags.only }
  const search = searchOptions(flags)
  const given = (['slo', 'mode', 'maxUsers', 'maxRate', 'stepTimeSec', 'budgetSec'] as const).find((k) => k === 'slo' ? search.slo.length : search[k] !== undefined)
  if (given && !flags.capacity) {
    const flag = `--${given.replace(/Sec$/, '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
    throw new UsageError(`${flag} belongs to the capacity search: add --capacity`, { flag })
  }
  if (file !== undefined) options.file = file
  if (flags.out !== undefined) options.out = flags.out
  if (flags.users !== undefined) options.users = parseCount(flags.users, '--users')
  if (flags.spawnRate !== undefined) options.spawnRate = parseRate(flags.spawnRate, '--spawn-rate')
  if (flags.runTime !== undefined) options.runTimeSec = parseDuration(flags.runTime, '--run-time')
  if (flags.target !== undefined) {
    if (!URL.canParse(flags.target) || !/^https?:$/.test(new URL(flags.target).protocol)) {
      throw new UsageError(`invalid --target "${flags.target}": expected an http(s) URL such as http://127.0.0.1:8080/score`, { flag: '--target' })
    }
    options.target = flags.target
  }
  return flags.capacity ? { ...options, capacity: search } : options
}

/** One line per step of each variant's search, then its finding. */
function capacityHooks(settings: BenchCapacityOptions['capacity']): Pick<BenchCapacityOptions, 'onCapacityStart' | 'onCapacity' | 'capacityHooks'> {
  const lines = new StepPrinter()
  const budgetSec = settings.budgetSec ?? DEFAULT_BUDGET_SEC
  const unit = settings.mode === 'rate' ? 'rps' : 'users'
  return {
    onCapacityStart: (variant) => lines.line(`\n${variant}: capacity search`),
    capacityHooks: {
      onCalibrated: (c, p, shape) => lines.line(calibrationLine(c, p, shape)),
      onProgress: (index, load, p) => lines.progress(progressLine(index, loadText(load, unit), p)),
      onStep: (step, elapsed) => lines.line(stepLine(step, elapsed, budgetSec))
    },
    onCapacity: (variant, run, error) => {
      if (run) for (const line of findingLines(run.file)) lines.line(`${variant}: ${line}`)
      if (error) lines.line(`${variant}: capacity search failed: ${error}`)
    }
  }
}

export function registerBench(program: Command): void {
  const command = program
    .command('bench')
    .argument('[bench.yaml]', 'the matrix to run (default: the study, examples/promptflow-serve/bench.yaml)')
    .description('run a load-test matrix (services x load profile x variants) and write an analysed report')
    .option('--out <dir>', 'output folder (default reports/<timestamp>/)')
    .option('--users <n>', 'users of every variant (overrides the file)')
    .option('--spawn-rate <r>', 'users started per second (overrides the file)')
    .option('--run-time <t>', 'load duration per variant, e.g. 60s or 5m (overrides the file)')
    .option('--full', "the file's full: profile (the study's run: 1000 users, 10/s, 5 min)")
    .option('--only <variant>', 'run only these variants (repeat or comma-separate)', collect, [])
    .option('--target <url>', 'benchmark an already running service at this URL with the same load and report')
    .option('--capacity', 'then search each variant\'s capacity within --slo (as floodgate capacity does; --budget each) and add it to the comparison')
  addUiFlags(command, 'the bench (the variant running, the ones done and their verdicts); it stays up after the bench until Ctrl-C')
  searchFlagsOn(command)
    .action(async (file: string | undefined, flags: Flags) => {
      const options = benchOptions(file, flags)
      const ui = uiOptions(flags)
      const controller = new AbortController()
      let signal: StopSignal = 'SIGINT'
      const stop = () => {
        if (!controller.signal.aborted) process.stderr.write('\nfloodgate bench: stopping (results so far are kept)...\n')
        controller.abort()
      }
      const printer = new ProgressPrinter()
      let pageStopped = false
      let session: BenchSession | null = null
      let server: UiServer | null = null
      if (ui) {
        // The page's server (fastify, esbuild) loads only for --ui: a bench without it starts sooner.
        const page = await import('../ui/index.js')
        session = new page.BenchSession(`Floodgate bench: ${file ?? 'the study'}`, () => { pageStopped = true; stop() })
        server = await page.startUiServer(ui, session)
        session.publish = server.publish
        process.stdout.write(uiBanner(server.url, ui.tokenGenerated))
      }
      const removeSignalListeners = onStopSignal((s) => {
        signal = s
        stop()
      })
      try {
        const hooks = 'capacity' in options ? capacityHooks(options.capacity) : {}
        const run = await ('capacity' in options ? runBenchCapacity : runBench)({
          ...options as BenchCapacityOptions,
          ...hooks,
          signal: controller.signal,
          onProgress: (variant, p) => {
            printer.update(variant, p)
            session?.progress(variant, p)
          },
          onVariant: (r) => {
            session?.variantDone(r)
            printer.done(r.meta.status === 'failed'
              ? `${r.meta.name}: FAILED: ${r.meta.error}`
              : `${r.meta.name}: ${r.meta.status === 'interrupted' ? 'interrupted, ' : ''}${r.result?.aggregated.requests ?? 0} requests, ` +
                `${fmtRate(r.result?.aggregated.rps ?? 0)}, ${r.result?.aggregated.failures ?? 0} failures`)
          }
        })
        session?.finished(run.report, run.interrupted)
        if (run.report === null) {
          process.exitCode = interruptedExitCode(signal)
          return
        }
        process.stdout.write(`\n${terminalReport(run.report.input)}\nreport: ${run.report.markdown}\n        ${run.report.html}\n`)
        if (run.interrupted) process.exitCode = interruptedExitCode(signal)
        else if (run.records.some((r) => r.meta.status === 'failed')) process.exitCode = 1
      } finally {
        removeSignalListeners()
        if (server) {
          // The page stays up for its downloads until Ctrl-C (at once if the bench was stopped by one).
          if (!controller.signal.aborted || pageStopped) {
            process.stdout.write('The live page stays up for its downloads: Ctrl-C to quit.\n')
            await untilStopSignal()
          }
          await server.close()
        }
      }
    })
}
