// The live page for a command of its own making (`floodgate capacity --ui`): its status lines and table,
// the charts of the load it runs now (each `runLoad` tick, with `live: true`, or each progress line of a
// load in its own process), a Stop that calls back, and the downloads of its last load and of the files
// it wrote. serveStatusPage is the hook such a command calls.
import { readFileSync } from 'node:fs'
import { basename, extname } from 'node:path'
import type { LoadProgress } from '../bench/index.js'
import { HttpRequestError, UsageError } from '../errors.js'
import type { LoadResult, LoadTick } from '../load/index.js'
import { downloadFile, downloadLinks } from './downloads.js'
import { LiveRun } from './live-run.js'
import type { Download, LiveMessage, RunState, StatusTable } from './messages.js'
import type { UiOptions } from './options.js'
import { startUiServer, type DownloadFile, type UiBackend } from './server.js'

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json', '.html': 'text/html; charset=utf-8', '.md': 'text/markdown; charset=utf-8'
}

export class StatusSession implements UiBackend {
  publish: () => void = () => {}
  private state: RunState = 'running'
  private run = 0
  private startedAt: number | null = null
  private lines: { label: string; value: string }[] = []
  private test = new LiveRun()
  private last: LoadResult | null = null
  private notice = ''
  private table: StatusTable | undefined
  private files: { label: string; path: string }[] = []

  constructor(private readonly title: string, private readonly onStop?: () => void) {}

  /** The command's own lines (e.g. "step": "3 of 8, 400 users", "capacity so far": "212 req/s"). */
  status(lines: { label: string; value: string }[], notice?: string): void {
    this.lines = lines
    if (notice !== undefined) this.notice = notice
    this.publish()
  }

  /** The command's own table, shown below its lines (capacity: its steps so far). */
  rows(table: StatusTable): void {
    this.table = table
    this.publish()
  }

  /** Files the command wrote, offered for download by their names (capacity.json, capacity.html). */
  outputs(files: { label: string; path: string }[]): void {
    this.files = files
    this.publish()
  }

  /** A new load starts (a new step): its charts start over. */
  newLoad(): void {
    this.run++
    this.startedAt = Date.now()
    this.test = new LiveRun()
  }

  /** One second of the running load (pass `live: true` to runLoad for the tables). */
  tick(tick: LoadTick): void {
    this.test.tick(tick)
    this.publish()
  }

  /** One second of a load running in its own process (its `--progress jsonl` line): the charts only. */
  progress(p: LoadProgress): void {
    this.test.progress(p)
    this.publish()
  }

  /** A load ended: its result is downloadable. */
  loadDone(result: LoadResult): void {
    this.last = result
    this.test.end(result)
    this.publish()
  }

  /** The command ended. */
  finished(notice: string): void {
    this.state = 'stopped'
    this.notice = notice
    this.publish()
  }

  stop(): string {
    if (!this.onStop || this.state !== 'running') throw new UsageError('nothing to stop')
    this.state = 'stopping'
    this.onStop()
    return 'stopping'
  }

  message(full: boolean): LiveMessage {
    const { test } = this
    const run = test.live ?? this.last
    return {
      kind: 'status', title: this.title, state: this.state, run: this.run, mode: run?.config.mode ?? 'closed', startedAt: this.startedAt,
      form: { host: '', users: 0, spawnRate: 0, runTime: '' }, canStart: false, canEdit: false, canStop: Boolean(this.onStop) && this.state === 'running',
      points: test.take(full), stats: test.stats, errors: run?.errors ?? [], exceptions: run?.exceptions ?? [], streams: test.streams, events: [],
      downloads: this.downloads(), notice: this.notice, status: this.lines, ...(this.table ? { statusTable: this.table } : {})
    }
  }

  download(name: string): DownloadFile {
    const file = this.files.find((f) => basename(f.path) === name)
    if (!file) return downloadFile(name, this.last, [])
    try {
      return { filename: name, contentType: CONTENT_TYPES[extname(name)] ?? 'text/plain; charset=utf-8', body: readFileSync(file.path, 'utf8') }
    } catch {
      throw new HttpRequestError(404, `${name} cannot be read any more`)
    }
  }

  private downloads(): Download[] {
    const last = downloadLinks(this.last)
    return [...this.files.map((f) => ({ label: f.label, href: `/api/download/${basename(f.path)}` })), ...last]
  }
}

/** Serves the page for a command's own status; print `url`, call the session's methods, `close()` at the end. */
export async function serveStatusPage(ui: UiOptions, title: string, onStop?: () => void): Promise<{ session: StatusSession; url: string; close(): Promise<void> }> {
  const session = new StatusSession(title, onStop)
  const server = await startUiServer(ui, session)
  session.publish = server.publish
  return { session, url: server.url, close: () => server.close() }
}
