// `floodgate bench [bench.yaml]`: re-runs the study (or the user's matrix), prints progress and the
// comparison tables, and writes the report. Exit 0 when every variant ran, 1 when one failed; stopped by a
// signal, it keeps what ran and exits 130 (SIGINT, Ctrl-C) or 143 (SIGTERM).
import type { Command } from 'commander'
import { UsageError } from '../errors.js'
import { interruptedExitCode, onStopSignal, type StopSignal } from '../process/index.js'
import { parseCount, parseDuration, parsePositive } from '../load/index.js'
import { ProgressPrinter, runBench, textTable, type RunBenchOptions } from '../bench/index.js'
import { analysisTable, fmtRate, llmTable, resultsTable, studyColumnsFor } from '../report/index.js'

interface Flags {
  out?: string
  users?: string
  spawnRate?: string
  runTime?: string
  full?: boolean
  only: string[]
  target?: string
}

const collect = (value: string, previous: string[]) => [...previous, ...value.split(',').filter(Boolean)]

export function benchOptions(file: string | undefined, flags: Flags): RunBenchOptions {
  const options: RunBenchOptions = { full: Boolean(flags.full), only: flags.only }
  if (file !== undefined) options.file = file
  if (flags.out !== undefined) options.out = flags.out
  if (flags.users !== undefined) options.users = parseCount(flags.users, '--users')
  if (flags.spawnRate !== undefined) options.spawnRate = parsePositive(flags.spawnRate, '--spawn-rate')
  if (flags.runTime !== undefined) options.runTimeSec = parseDuration(flags.runTime, '--run-time')
  if (flags.target !== undefined) {
    if (!URL.canParse(flags.target) || !/^https?:$/.test(new URL(flags.target).protocol)) {
      throw new UsageError(`invalid --target "${flags.target}": expected an http(s) URL such as http://127.0.0.1:8080/score`, { flag: '--target' })
    }
    options.target = flags.target
  }
  return options
}

export function registerBench(program: Command): void {
  program
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
    .action(async (file: string | undefined, flags: Flags) => {
      const options = benchOptions(file, flags)
      const controller = new AbortController()
      let signal: StopSignal = 'SIGINT'
      const removeSignalListeners = onStopSignal((s) => {
        signal = s
        process.stderr.write('\nfloodgate bench: stopping (results so far are kept)...\n')
        controller.abort()
      })
      const printer = new ProgressPrinter()
      try {
        const run = await runBench({
          ...options,
          signal: controller.signal,
          onProgress: (variant, p) => printer.update(variant, p),
          onVariant: (r) => printer.done(r.meta.status === 'failed'
            ? `${r.meta.name}: FAILED: ${r.meta.error}`
            : `${r.meta.name}: ${r.meta.status === 'interrupted' ? 'interrupted, ' : ''}${r.result?.aggregated.requests ?? 0} requests, ` +
              `${fmtRate(r.result?.aggregated.rps ?? 0)}, ${r.result?.aggregated.failures ?? 0} failures`)
        })
        if (run.report === null) {
          process.exitCode = interruptedExitCode(signal)
          return
        }
        const { input } = run.report
        const users = input.records.find((r) => r.result)?.meta.load.users ?? 0
        process.stdout.write(`\n${textTable(resultsTable(input.records, studyColumnsFor(users)))}\n\n${textTable(analysisTable(input.analyses))}\n\n`)
        for (const a of input.analyses) process.stdout.write(`${a.name}: ${a.verdict.text}\n`)
        if (input.llm.length) {
          process.stdout.write(`\nStreams (ms):\n${textTable(llmTable(input.llm))}\n\n`)
          for (const a of input.llm) process.stdout.write(`${a.name}: ${a.verdict.text}\n`)
        }
        process.stdout.write(`\nreport: ${run.report.markdown}\n        ${run.report.html}\n`)
        if (run.interrupted) process.exitCode = interruptedExitCode(signal)
        else if (run.records.some((r) => r.meta.status === 'failed')) process.exitCode = 1
      } finally {
        removeSignalListeners()
      }
    })
}
