// `floodgate run <flow> --data data.jsonl|data.csv` (or --resume runs/<name>): a batch run, with
// PromptFlow's `pf run` semantics; see src/batch. Ctrl-C (or SIGTERM) ends it keeping the finished lines; a
// second one is ignored while the files are written.
import { basename, join, resolve } from 'node:path'
import { UsageError } from '../errors.js'
import { interruptedExitCode, onStopSignal, type StopSignal } from '../process/index.js'
import { loadFlow } from '../executor/index.js'
import { runBatch, summaryText } from '../batch/index.js'
import { RunTracer, traceSummary, type TraceOptions } from '../trace/index.js'

export interface BatchFlags {
  data?: string
  columnMapping: string[]
  concurrency?: string
  out?: string
  resume?: string
}

/** Pool run slots of a batch of a flow with sync tools, unless --threads says: one per line at once, up to this. */
const MAX_DEFAULT_THREADS = 16

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`
}

function checkFlags(flags: BatchFlags): void {
  if (flags.resume !== undefined) {
    if (flags.data !== undefined) throw new UsageError('--resume reads the data file from the run folder; drop --data', { flag: '--data' })
    if (flags.columnMapping.length > 0) throw new UsageError('--resume keeps the run\'s column mapping; drop --column-mapping', { flag: '--column-mapping' })
    if (flags.out !== undefined) throw new UsageError('--resume writes into the folder it resumes; drop --out', { flag: '--out' })
  } else if (flags.columnMapping.length > 0 && flags.data === undefined) {
    throw new UsageError('--column-mapping maps data columns: give --data data.jsonl or data.csv', { flag: '--column-mapping' })
  }
}

export interface BatchSettings {
  threads: number | undefined
  runTimeoutMs: number | undefined
  concurrency: number
  trace: TraceOptions | null
}

export async function runBatchCommand(dir: string, flags: BatchFlags, { threads, runTimeoutMs, concurrency, trace }: BatchSettings): Promise<number> {
  checkFlags(flags)
  const controller = new AbortController()
  let stopSignal: StopSignal = 'SIGINT'
  const flow = await loadFlow(dir, { threads: threads ?? Math.min(concurrency, MAX_DEFAULT_THREADS), runTimeoutMs })
  // A second signal is ignored while the files are written (src/process/signals.ts).
  const removeSignalListeners = onStopSignal((signal) => {
    stopSignal = signal
    process.stderr.write('\nfloodgate run: interrupted: finishing the files...\n')
    controller.abort()
  })
  const tracer = trace ? new RunTracer(trace) : null
  const out = flags.resume ?? flags.out ?? join('runs', `${flow.name}-${stamp(new Date())}`)
  const batchRunId = basename(out)
  try {
    const { summary } = await runBatch(flow, {
      data: flags.data,
      mapping: flags.columnMapping,
      concurrency,
      out,
      resume: flags.resume !== undefined,
      signal: controller.signal,
      progress: true,
      capture: tracer !== null,
      onLine: tracer ? (line, inputs, result, error) => result && tracer.run(flow, result.trace, inputs, error ? null : result.outputs, error, { batchRunId, line }) : undefined
    })
    process.stdout.write(summaryText(summary, resolve(out)))
    if (summary.status === 'interrupted') return interruptedExitCode(stopSignal)
    return summary.lines.failed > 0 ? 1 : 0
  } finally {
    removeSignalListeners()
    await flow.close()
    if (tracer && trace) process.stderr.write(`${traceSummary(trace, await tracer.close())}\n`)
  }
}
