// `floodgate run <flow-dir>`: runs a flow once and prints its outputs and a per-node timing table.
import type { Command } from 'commander'
import { epochNow } from '../clock.js'
import { FloodgateError, InputError, UsageError } from '../errors.js'
import { MAX_TIMER_SECONDS, MAX_TIMER_TEXT } from '../timer-limit.js'
import { attributeFault, loadFlow, parseInputArgs, readOutputs, type CompiledFlow, type FaultKind, type RunResult, type RunTrace } from '../executor/index.js'
import { inexactJsonNumber } from '../flow/index.js'
import { hasStream } from '../flow/stream.js'
import { parseTraceFlag, RunTracer, TRACE_PROTOCOLS, traceSummary } from '../trace/index.js'
import { reportError } from './exit.js'
import type { BatchFlags } from './run-batch.js'

const DEFAULT_CONCURRENCY = 16

interface RunFlags extends BatchFlags {
  trace?: string
  traceProtocol?: string
  input: string[]
  inputs?: string
  json?: boolean
  threads?: string
  timeout?: string
}

function positiveInt(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`${flag} ${text}: expected a positive integer`, { flag })
  return Number(text)
}

function seconds(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const s = Number(text)
  if (text.trim() === '' || !Number.isFinite(s) || s <= 0) throw new UsageError(`${flag} ${text}: expected a number of seconds > 0`, { flag })
  if (s > MAX_TIMER_SECONDS) throw new UsageError(`${flag} ${text}: longer than ${MAX_TIMER_TEXT}`, { flag })
  return Math.round(s * 1000)
}

function inputsJson(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new UsageError(`--inputs: invalid JSON (${(err as Error).message})`, { flag: '--inputs' })
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError('--inputs: expected a JSON object of input name to value', { flag: '--inputs' })
  }
  const inexact = inexactJsonNumber(text)
  if (inexact !== undefined) throw new UsageError(`--inputs: ${inexact}`, { flag: '--inputs' })
  return value as Record<string, unknown>
}

export function formatTrace(result: RunResult): string {
  const rows = [['node', 'place', 'start ms', 'duration ms', 'status']]
  for (const n of result.trace.nodes) {
    rows.push([n.node, n.ranOn, n.startMs.toFixed(1), n.durationMs.toFixed(1), n.error ? `${n.status}: ${n.error}` : n.status])
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)))
  const lines = rows.map((r) => r.map((cell, c) => (c === 2 || c === 3 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd())
  lines.push(`total ${result.trace.durationMs.toFixed(1)} ms`)
  return lines.join('\n')
}

async function runOnce(flow: CompiledFlow, flags: RunFlags, tracer: RunTracer | null): Promise<void> {
  const raw = { ...inputsJson(flags.inputs), ...parseInputArgs(flow.inputs, flags.input) }
  let inputs: Record<string, unknown>
  try {
    inputs = flow.validateInputs(raw)
  } catch (err) {
    // From the command line, a missing or mistyped input is a usage error (exit 2).
    if (err instanceof InputError) throw new UsageError(`${err.message} (pass it with --input name=value or --inputs '<json>')`, err.details)
    throw err
  }
  const unguard = failRunOnToolFaults()
  const result = await flow.execute(inputs, { capture: tracer !== null }).catch((err: unknown) => {
    if (tracer && err instanceof FloodgateError && err.details.trace) tracer.run(flow, err.details.trace as RunTrace, inputs, null, err)
    throw err
  }).finally(unguard)
  let outputs: Record<string, unknown>
  try {
    outputs = await readOutputs(result.outputs)
  } catch (err) {
    // A streaming output that broke off after the run returned it: the run failed after all, and its
    // trace says so (the llm call's span carries the stream's error).
    if (tracer && err instanceof FloodgateError) tracer.run(flow, result.trace, inputs, null, err, { streamedUntil: epochNow() })
    throw err
  }
  // A run whose outputs stream lasted until they were read (record.ts, streamedUntil).
  tracer?.run(flow, result.trace, inputs, outputs, null, hasStream(result.outputs) ? { streamedUntil: epochNow() } : undefined)
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ outputs, trace: result.trace })}\n`)
  } else {
    process.stdout.write(`outputs:\n${JSON.stringify(outputs, null, 2)}\n\n${formatTrace(result)}\n`)
  }
}

/**
 * A rejection or exception a tool's code raises where nothing can catch it fails the run (exit 1, the
 * message naming the node) instead of crashing with a stack; anything else ends the command at once.
 */
function failRunOnToolFaults(): () => void {
  const handler = (kind: FaultKind) => (err: unknown) => {
    if (attributeFault(err, kind) === undefined) process.exit(reportError(err))
  }
  const onRejection = handler('unhandled promise rejection')
  const onException = handler('uncaught exception')
  process.on('unhandledRejection', onRejection)
  process.on('uncaughtException', onException)
  return () => {
    process.off('unhandledRejection', onRejection)
    process.off('uncaughtException', onException)
  }
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a flow once and print its outputs and per-node timings')
    .argument('<flow-dir>', 'folder holding flow.dag.yaml or flow.flex.yaml')
    .option('--input <name=value>', 'an input value, converted by its declared type (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--inputs <json>', 'input values as a JSON object (--input values override it)')
    .option('--json', 'print one JSON object {outputs, trace}')
    .option('--threads <n>', 'runs with sync tools at once: the pool has threads for their parallel sync nodes (default 4)')
    .option('--timeout <seconds>', 'abort the run after this many seconds')
    .option('--data <file>', 'batch run: one run per line of a .jsonl or .csv file (PromptFlow\'s pf run --data)')
    .option('--column-mapping <input=value...>', "batch run: an input's value, ${data.<column>} or a constant (repeatable)", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--concurrency <n>', `batch run: lines at once (default ${DEFAULT_CONCURRENCY})`)
    .option('--out <dir>', 'batch run: the run folder (default runs/<flow>-<timestamp>)')
    .option('--resume <dir>', 'batch run: complete the run in this folder, running only the lines without output')
    .option('--trace <otlp=url>', 'export each run as an OpenTelemetry trace to an OTLP/HTTP collector, e.g. otlp=http://127.0.0.1:4318')
    .option('--trace-protocol <protocol>', `how --trace sends: ${TRACE_PROTOCOLS.join(' or ')} (default: env OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf)`)
    .action(async (dir: string, flags: RunFlags) => {
      const threads = positiveInt('--threads', flags.threads)
      const runTimeoutMs = seconds('--timeout', flags.timeout)
      const concurrency = positiveInt('--concurrency', flags.concurrency)
      const trace = parseTraceFlag(flags.trace, flags.traceProtocol)
      if (flags.data !== undefined || flags.resume !== undefined) {
        if (flags.input.length > 0 || flags.inputs !== undefined) throw new UsageError('--input/--inputs give one run\'s values; a batch run takes them from --data (constants: --column-mapping name=value)', { flag: '--input' })
        // The batch's modules (its data readers, the load histograms) load only for a batch: one run starts sooner.
        const { runBatchCommand } = await import('./run-batch.js')
        process.exitCode = await runBatchCommand(dir, flags, { threads, runTimeoutMs, concurrency: concurrency ?? DEFAULT_CONCURRENCY, trace })
        return
      }
      if (concurrency !== undefined || flags.out !== undefined || flags.columnMapping.length > 0) throw new UsageError('--concurrency, --out and --column-mapping are for batch runs: give --data', { flag: '--data' })
      inputsJson(flags.inputs) // a bad --inputs is reported before the flow loads
      const flow = await loadFlow(dir, { threads, runTimeoutMs })
      const tracer = trace ? new RunTracer(trace) : null
      try {
        await runOnce(flow, flags, tracer)
      } finally {
        await flow.close()
        if (tracer && trace) process.stderr.write(`${traceSummary(trace, await tracer.close())}\n`)
      }
    })
}
