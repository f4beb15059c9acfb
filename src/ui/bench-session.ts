// `floodgate bench --ui`: the variant running now (its load's progress lines, once a second) and the
// ones done, with the analysis's verdict; Stop ends the bench as Ctrl-C does (what ran is kept and
// reported). A bench's load is not edited mid-run: its variants must stay comparable.
import { HttpRequestError, UsageError } from '../errors.js'
import type { LoadProgress, VariantRecord } from '../bench/index.js'
import type { LoadResult } from '../load/index.js'
import { analyzeVariant } from '../report/index.js'
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { downloadFile, downloadLinks } from './downloads.js'
import { statsRows } from './live.js'
import { LiveRun } from './live-run.js'
import type { BenchVariantRow, Download, LiveMessage, RunState, StatsRow } from './messages.js'
import type { DownloadFile, UiBackend } from './server.js'

export class BenchSession implements UiBackend {
  publish: () => void = () => {}
  private state: RunState = 'running'
  private run = 0
  private startedAt: number | null = null
  private readonly variants: BenchVariantRow[] = []
  private readonly results = new Map<string, LoadResult>()
  private test = new LiveRun()
  private stats: StatsRow[] = []
  private report: { markdown: string; html: string } | null = null
  private notice = ''

  constructor(private readonly title: string, private readonly onStop: () => void) {}

  progress(variant: string, p: LoadProgress): void {
    let row = this.variants.find((v) => v.name === variant)
    if (!row) {
      row = { name: variant, status: 'running', requests: 0, failures: 0, rps: 0, p50: null, p95: null }
      this.variants.push(row)
      this.run++
      this.startedAt = p.t * 1000 - p.elapsedSec * 1000
      this.test = new LiveRun()
    }
    Object.assign(row, { requests: p.requests, failures: p.failures, rps: p.rps, p50: p.p50, p95: p.p95 })
    this.test.progress(p)
    this.publish()
  }

  variantDone(record: VariantRecord): void {
    const { meta, result } = record
    let row = this.variants.find((v) => v.name === meta.name)
    if (!row) {
      row = { name: meta.name, status: 'running', requests: 0, failures: 0, rps: 0, p50: null, p95: null }
      this.variants.push(row)
    }
    row.status = meta.status
    if (result) {
      this.results.set(meta.name, result)
      const a = result.aggregated
      Object.assign(row, { requests: a.requests, failures: a.failures, rps: a.rps, p50: a.medianMs, p95: a.percentiles['95'] ?? null })
      const verdict = analyzeVariant(meta, result, record.samples).verdict
      row.verdict = { kind: verdict.kind, text: verdict.text }
      this.stats = [...this.stats, { ...statsRows(result, new Map(), 0).rows.at(-1)!, name: meta.name, currentRps: 0, currentFailuresPerSec: 0 }]
    } else if (meta.error) {
      row.verdict = { kind: 'failed', text: meta.error }
    }
    this.publish()
  }

  /** The bench ended: its report (null when no variant ran). */
  finished(report: { markdown: string; html: string } | null, interrupted: boolean): void {
    this.state = 'stopped'
    this.report = report
    this.notice = `bench ${interrupted ? 'stopped' : 'finished'}${report ? `: report ${report.html}` : ''}`
    this.publish()
  }

  stop(): string {
    if (this.state !== 'running') throw new UsageError('the bench is not running')
    this.state = 'stopping'
    this.onStop()
    return 'stopping the bench: the running variant keeps what it measured, then the report is written'
  }

  message(full: boolean): LiveMessage {
    const points = this.test.take(full)
    const errors = [...this.results].flatMap(([name, r]) => r.errors.map((e) => ({ ...e, name: `${name}: ${e.name}` })))
    const exceptions = [...this.results].flatMap(([name, r]) => r.exceptions.map((e) => ({ ...e, message: `${name}: ${e.message}` })))
    return {
      kind: 'bench', title: this.title, state: this.state, run: this.run, mode: 'closed', startedAt: this.startedAt,
      form: { host: '', users: 0, spawnRate: 0, runTime: '' }, canStart: false, canEdit: false, canStop: this.state === 'running',
      points, stats: this.stats, errors, exceptions, streams: null, events: [], downloads: this.downloads(), notice: this.notice,
      bench: this.variants
    }
  }

  download(name: string): DownloadFile {
    if (this.report && (name === basename(this.report.html) || name === basename(this.report.markdown))) {
      const path = name.endsWith('.html') ? this.report.html : this.report.markdown
      return { filename: name, contentType: name.endsWith('.html') ? 'text/html; charset=utf-8' : 'text/markdown; charset=utf-8', body: readFileSync(path, 'utf8') }
    }
    for (const result of this.results.values()) {
      if (downloadLinks(result).some((d) => d.href.endsWith(`/${name}`))) return downloadFile(name, result, [])
    }
    throw new HttpRequestError(404, `no such download: ${name}`)
  }

  private downloads(): Download[] {
    const report: Download[] = this.report
      ? [{ label: 'Bench report (HTML)', href: `/api/download/${basename(this.report.html)}` }, { label: 'Bench report (Markdown)', href: `/api/download/${basename(this.report.markdown)}` }]
      : []
    return [...report, ...[...this.results].flatMap(([name, r]) => downloadLinks(r).map((d) => ({ ...d, label: `${name}: ${d.label}` })))]
  }
}
