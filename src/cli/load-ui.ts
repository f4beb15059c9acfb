// `floodgate load --ui`: the page (src/ui) in front of the same run as without it. With --run-time the
// test starts at once; without, the page starts it. The page stays up after a test (its downloads, a
// new test) until Ctrl-C; Ctrl-C during a test stops it and still writes every output.
import { UsageError } from '../errors.js'
import { evaluateThresholds, resolveOptions, type LoadOptions, type LoadResult, type LoadTick, type Threshold, type ThresholdOutcome } from '../load/index.js'
import { interruptedExitCode, onStopSignal, type StopSignal } from '../process/index.js'
import { finalReport } from '../report/index.js'
import { LoadSession, startUiServer, type UiOptions } from '../ui/index.js'
import { uiBanner } from './ui-flags.js'
import type { Flags } from './load.js'

/** What `floodgate load` does with and without the page (given by load.ts, so imports go one way). */
export interface LoadCommand {
  optionsOf(url: string | undefined, f: Flags): LoadOptions
  tickPrinter(f: Flags, mode: 'closed' | 'open'): (tick: LoadTick) => void
  writeOutputs(f: Flags, result: LoadResult, outcomes: ThresholdOutcome[], log: (s: string) => void): Promise<string[]>
}

/** Stands in for the URL the page will give, so every other flag is checked before the page opens. */
const PAGE_URL_PLACEHOLDER = 'http://127.0.0.1/'

/** The command's flags with a start form's values in place of --users, --spawn-rate, --rate, --run-time and the URL. */
function withForm(url: string | undefined, f: Flags, form: Record<string, unknown>): { url: string | undefined; flags: Flags } {
  const flags: Flags = { ...f }
  const text = (v: unknown) => (v === undefined || v === '' ? undefined : String(v))
  if (text(form.users) !== undefined) flags.users = text(form.users)
  if (text(form.spawnRate) !== undefined) flags.spawnRate = text(form.spawnRate)
  if (text(form.rate) !== undefined && f.rate !== undefined) flags.rate = text(form.rate)
  if (text(form.runTime) !== undefined) flags.runTime = text(form.runTime)!
  const host = text(form.host)
  if (host === undefined) return { url, flags }
  if (f.openai !== undefined) flags.openai = host
  return { url: f.openai !== undefined ? undefined : host, flags }
}

export async function runLoadUi(url: string | undefined, f: Flags, ui: UiOptions, thresholds: Threshold[], cmd: LoadCommand): Promise<void> {
  const { optionsOf, tickPrinter, writeOutputs } = cmd
  if (f.runTimeGiven && url === undefined && f.openai === undefined) {
    throw new UsageError('missing <url>: with --run-time, --ui starts the test at once; give the URL, or leave --run-time out and start the test from the page', { flag: '<url>' })
  }
  const first = optionsOf(url ?? (f.openai === undefined ? PAGE_URL_PLACEHOLDER : undefined), f)
  resolveOptions(first)
  const jsonl = f.progress === 'jsonl'
  const log = (s: string) => (jsonl ? process.stderr : process.stdout).write(`${s}\n`)
  const mode = first.rate === undefined ? 'closed' : 'open'
  const session = new LoadSession({
    title: `Floodgate load${url ?? f.openai ? `: ${url ?? f.openai}` : ''}`,
    mode,
    form: {
      host: url ?? f.openai ?? '', users: first.users ?? 1, spawnRate: first.spawnRate ?? 1, runTime: f.runTime,
      ...(first.rate !== undefined ? { rate: first.rate } : {})
    },
    makeOptions: (form) => {
      const given = withForm(url, f, form)
      if (given.url === undefined && given.flags.openai === undefined) {
        throw new UsageError('missing host: the URL to load, e.g. http://127.0.0.1:8080/score', { field: 'host' })
      }
      return optionsOf(given.url, given.flags)
    },
    finish: async (result: LoadResult) => {
      const outcomes = evaluateThresholds(result, thresholds)
      const written = await writeOutputs(f, result, outcomes, log)
      if (!jsonl) process.stdout.write(finalReport(result, outcomes))
      const failed = outcomes.filter((o) => !o.passed).length
      const notice = `test ${result.interrupted ? 'stopped' : 'finished'} after ${result.durationSec.toFixed(1)} s: ${result.aggregated.requests} requests, ` +
        `${result.aggregated.failures} failures${outcomes.length ? `, ${failed} of ${outcomes.length} thresholds failed` : ''}` +
        `${written.length ? `; wrote ${written.join(', ')}` : ''}`
      return { outcomes, notice }
    },
    onTick: tickPrinter(f, mode)
  })
  const server = await startUiServer(ui, session)
  session.publish = server.publish
  log(uiBanner(server.url, ui.tokenGenerated).trimEnd())
  if (f.runTimeGiven) session.start({})
  else log('Waiting for the page to start the test (Ctrl-C to quit).')

  // The first Ctrl-C stops the test (or quits when none runs); a second one meanwhile must not kill the
  // command while it writes the test's outputs (src/process/signals.ts).
  let removeSignalListeners = () => {}
  const signal = await new Promise<StopSignal>((resolve) => { removeSignalListeners = onStopSignal(resolve) })
  const interrupted = session.busy
  try {
    if (interrupted) {
      process.stderr.write(`\n${signal}: stopping users, letting requests in flight finish, writing outputs...\n`)
      if (session.stoppable) session.stop()
      await session.done
    }
    await server.close()
  } finally {
    removeSignalListeners()
  }
  if (interrupted) {
    process.exitCode = interruptedExitCode(signal)
    return
  }
  // Quitting after the tests: the last one's thresholds decide, as without --ui.
  if (session.outcomes?.some((o) => !o.passed)) process.exitCode = 99
}
