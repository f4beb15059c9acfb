// `floodgate load --ui`: the tests started from the command line or the page, one at a time, as the
// page sees them. Each second the load's tick (its history window, and the run so far) becomes the
// page's message; Edit goes to the run's LoadControl, Stop to its abort signal. When a test ends, the
// command's `finish` writes every output its flags asked for, whatever stopped it.
import { UsageError, messageOf } from '../errors.js'
import { LoadControl, eventText, resolveOptions, runLoad, type LoadOptions, type LoadResult, type LoadTick, type ThresholdOutcome } from '../load/index.js'
import { downloadFile, downloadLinks } from './downloads.js'
import { LiveRun } from './live-run.js'
import type { LiveMessage, RunState, StartForm } from './messages.js'
import type { DownloadFile, UiBackend } from './server.js'

export interface LoadSessionSpec {
  title: string
  mode: 'closed' | 'open'
  /** What the start form offers first (the command's flags). */
  form: StartForm
  /** The form's values (strings or numbers) to the load's options; throws UsageError naming the field. */
  makeOptions(form: Record<string, unknown>): LoadOptions
  /** Called once per test with what it measured: writes the outputs; returns its threshold outcomes and a notice. */
  finish(result: LoadResult): Promise<{ outcomes: ThresholdOutcome[]; notice: string }>
  /** Every tick of a running test (the console line). */
  onTick?(tick: LoadTick): void
}

export class LoadSession implements UiBackend {
  /** Set by the owner once the server runs: pages get a message at each tick. */
  publish: () => void = () => {}
  private state: RunState = 'ready'
  private run = 0
  private startedAt: number | null = null
  private form: StartForm
  private control = new LoadControl()
  private abort = new AbortController()
  private test = new LiveRun()
  private last: { result: LoadResult; outcomes: ThresholdOutcome[] } | null = null
  private notice = ''
  private running: Promise<void> = Promise.resolve()

  constructor(private readonly spec: LoadSessionSpec) {
    this.form = { ...spec.form }
  }

  /** The test in progress (resolved at once when none is). */
  get done(): Promise<void> {
    return this.running
  }

  get stoppable(): boolean {
    return this.state === 'running'
  }

  get busy(): boolean {
    return this.state === 'running' || this.state === 'stopping'
  }

  /** The last finished test's threshold outcomes (the exit code), if one ran. */
  get outcomes(): ThresholdOutcome[] | null {
    return this.last?.outcomes ?? null
  }

  start(values: Record<string, unknown>): string {
    if (this.busy) throw new UsageError('a test is already running: stop it first')
    const options = this.spec.makeOptions(values)
    // Every value checked now, so a bad one is the page's 400, not a test that fails to start.
    resolveOptions(options)
    this.form = { ...this.form, ...pick(values) }
    this.control = new LoadControl()
    this.abort = new AbortController()
    this.test = new LiveRun()
    this.run++
    this.startedAt = Date.now()
    this.state = 'running'
    this.notice = ''
    this.running = this.execute(options)
    return `test started: ${options.rate !== undefined ? `${options.rate} requests/s` : `${options.users ?? 1} users at ${options.spawnRate}/s`}, for ${options.runTime} s`
  }

  stop(): string {
    if (this.state !== 'running') throw new UsageError('no test is running')
    this.state = 'stopping'
    this.abort.abort()
    return 'stopping: requests in flight may finish, then the outputs are written'
  }

  edit(values: Record<string, unknown>): string {
    if (this.state !== 'running') throw new UsageError('no test is running: start one first')
    const event = this.control.change(values)
    this.form = { ...this.form, ...pick(values) }
    return eventText(event)
  }

  message(full: boolean): LiveMessage {
    const { test } = this
    const run = test.live ?? this.last?.result
    return {
      kind: 'load', title: this.spec.title, state: this.state, run: this.run, mode: this.spec.mode, startedAt: this.startedAt,
      form: this.form, canStart: !this.busy, canEdit: this.state === 'running', canStop: this.state === 'running',
      points: test.take(full), stats: test.stats,
      errors: run?.errors.slice(0, 100) ?? [],
      exceptions: run?.exceptions.slice(0, 50) ?? [],
      streams: test.streams,
      events: this.control.events.map((e) => ({ at: e.at, text: eventText(e) })),
      downloads: downloadLinks(this.current()),
      notice: this.notice
    }
  }

  download(name: string): DownloadFile {
    return downloadFile(name, this.current(), this.busy ? [] : this.last?.outcomes ?? [])
  }

  /** The running test so far (its tables and every second), or the last one. */
  private current(): LoadResult | null {
    const { live, history } = this.test
    if (this.busy && live) return { ...live, history, ...(this.control.events.length ? { events: this.control.events } : {}) }
    return this.last?.result ?? null
  }

  private onTick(tick: LoadTick): void {
    this.spec.onTick?.(tick)
    this.test.tick(tick)
    this.publish()
  }

  private async execute(options: LoadOptions): Promise<void> {
    try {
      const result = await runLoad(options, { onTick: (t) => this.onTick(t), signal: this.abort.signal, control: this.control, live: true })
      this.state = 'stopping'
      this.publish()
      const { outcomes, notice } = await this.spec.finish(result)
      this.last = { result, outcomes }
      this.test.end(result)
      this.notice = notice
    } catch (err) {
      this.notice = `the test failed: ${messageOf(err)}`
      process.stderr.write(`${this.notice}\n`)
    } finally {
      this.test.live = null
      this.state = 'stopped'
      this.publish()
    }
  }
}

/** The form fields a start or edit sets, kept as the next form's defaults. */
function pick(values: Record<string, unknown>): Partial<StartForm> {
  const out: Partial<StartForm> = {}
  if (typeof values.host === 'string' && values.host) out.host = values.host
  if (typeof values.runTime === 'string' && values.runTime) out.runTime = values.runTime
  for (const key of ['users', 'spawnRate', 'rate'] as const) {
    const n = Number(values[key])
    if (values[key] !== undefined && values[key] !== '' && Number.isFinite(n)) out[key] = n
  }
  return out
}
