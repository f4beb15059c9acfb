// A batch run (`floodgate run <flow> --data ...`): every data line through the flow, up to `concurrency`
// lines at once (async tools on the event loop, sync tools on the pool, as a served flow runs them),
// into a run folder: outputs.jsonl (one record per line, in input order, with line_number), errors.jsonl
// (line_number, node, message), summary.json. When `signal` aborts (Ctrl-C), lines in progress are
// abandoned, finished ones are kept, and the summary says "interrupted"; a resumed run runs only the
// lines that have no output yet (never run, failed, or abandoned).
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { AbortedError, FloodgateError, ToolError, messageOf } from '../errors.js'
import { readOutputs, type CompiledFlow, type RunHandle, type RunResult } from '../executor/index.js'
import { readData, type DataSet } from './data.js'
import { LineInputs, parseMapping } from './mapping.js'
import { OrderedWriter } from './ordered.js'
import { Progress, type ProgressCounts } from './progress.js'
import { readRunFolder, type Summary } from './folder.js'
import { BatchStats } from './stats.js'

export interface BatchOptions {
  /** The data file (a fresh run), or undefined when resuming (the folder's summary names it). */
  data?: string
  /** --column-mapping pairs, e.g. question=${data.q}. */
  mapping: string[]
  concurrency: number
  /** The run folder: created, or (resume) read and completed. */
  out: string
  resume: boolean
  /** Aborts the run: lines in progress are abandoned, the rest is written. */
  signal?: AbortSignal
  /** Draw progress on stderr. */
  progress?: boolean
  /** Keep node arguments and results in each line's trace (for an exported trace). */
  capture?: boolean
  /** Called as each line ends (not for abandoned lines), with its outputs read: for an exported trace. */
  onLine?: (line: number, inputs: Record<string, unknown>, result: RunResult | null, error: FloodgateError | null) => void
}

export interface BatchOutcome {
  summary: Summary
  dir: string
}

function lineError(err: unknown): FloodgateError {
  if (err instanceof FloodgateError) return err
  return new ToolError(messageOf(err), {}, { cause: err })
}

function outputRecord(line: number, outputs: Record<string, unknown>): string {
  const record: Record<string, unknown> = { line_number: line }
  for (const key in outputs) if (key !== 'line_number') record[key] = outputs[key]
  return JSON.stringify(record)
}

export async function runBatch(flow: CompiledFlow, options: BatchOptions): Promise<BatchOutcome> {
  const dir = resolve(options.out)
  const earlier = options.resume ? await readRunFolder(dir, flow.dir) : null
  const data: DataSet = await readData(earlier ? earlier.summary.data : options.data!)
  const pairs = earlier ? earlier.summary.columnMapping : options.mapping
  const inputs = new LineInputs(flow.inputs, parseMapping(pairs, flow.inputs), data)
  await mkdir(dir, { recursive: true })

  const total = data.rows.length
  const done = earlier?.done ?? new Map()
  const todo: number[] = []
  for (let i = 0; i < total; i++) if (!done.has(i)) todo.push(i)
  const stats = new BatchStats()
  if (earlier) stats.merge(earlier.summary)
  const counts: ProgressCounts = { done: 0, failed: 0 }
  const startedAt = new Date()
  const summary = (status: Summary['status'], seconds: number): Summary => ({
    status,
    flow: flow.dir,
    data: data.file,
    columnMapping: pairs,
    concurrency: options.concurrency,
    startedAt: startedAt.toISOString(),
    endedAt: status === 'running' ? null : new Date().toISOString(),
    durationSec: Math.round(seconds * 1000) / 1000,
    sessions: (earlier?.summary.sessions ?? 0) + 1,
    lines: {
      total,
      succeeded: done.size + counts.done - counts.failed,
      failed: counts.failed,
      notRun: total - done.size - counts.done
    },
    linesPerSecond: seconds > 0 ? Math.round((counts.done / seconds) * 100) / 100 : 0,
    ...stats.toJSON()
  })
  await writeFile(join(dir, 'summary.json'), `${JSON.stringify(summary('running', 0), null, 2)}\n`)

  const writer = new OrderedWriter(dir, total, done)
  const handles = new Set<RunHandle>()
  const signal = options.signal
  const onAbort = (): void => {
    for (const h of handles) h.abort(new AbortedError('the batch run was interrupted'))
  }
  signal?.addEventListener('abort', onAbort, { once: true })
  const progress = options.progress ? new Progress(counts, todo.length) : null
  const t0 = performance.now()

  const fail = (line: number, raw: Record<string, unknown>, err: unknown): void => {
    const error = lineError(err)
    const trace = error.details.trace as RunResult['trace'] | undefined
    counts.done++
    counts.failed++
    const node = typeof error.details.node === 'string' ? error.details.node : null
    writer.put(line, { output: JSON.stringify({ line_number: line }), error: JSON.stringify({ line_number: line, node, message: error.message, code: error.code }) })
    options.onLine?.(line, raw, trace ? { outputs: {}, trace } : null, error)
  }

  const runLine = async (line: number): Promise<void> => {
    let raw: Record<string, unknown> = {}
    let valid: Record<string, unknown>
    try {
      raw = inputs.of(line)
      valid = flow.validateInputs(raw)
    } catch (err) {
      fail(line, raw, err)
      return
    }
    const handle = flow.start(valid, { capture: options.capture })
    handles.add(handle)
    let result: RunResult
    let record: string
    try {
      result = await handle.promise
      // Streamed outputs read to the end: the line's record, and its trace, hold what was streamed.
      result = { outputs: await readOutputs(result.outputs), trace: result.trace }
      record = outputRecord(line, result.outputs)
    } catch (err) {
      if (signal?.aborted) return // abandoned: no output, run again on --resume
      fail(line, valid, err)
      return
    } finally {
      handles.delete(handle)
    }
    counts.done++
    stats.add(result.trace)
    writer.put(line, { output: record })
    options.onLine?.(line, valid, result, null)
  }

  let next = 0
  const lane = async (): Promise<void> => {
    while (next < todo.length && !signal?.aborted) await runLine(todo[next++]!)
  }
  try {
    await Promise.all(Array.from({ length: Math.min(options.concurrency, todo.length) }, lane))
  } finally {
    signal?.removeEventListener('abort', onAbort)
    progress?.stop()
    await writer.close()
  }
  const final = summary(signal?.aborted ? 'interrupted' : 'completed', (performance.now() - t0) / 1000)
  await writeFile(join(dir, 'summary.json'), `${JSON.stringify(final, null, 2)}\n`)
  return { summary: final, dir }
}
