// What `floodgate bench` prints: one live progress line per variant (rewritten in place on a terminal,
// every few seconds otherwise), then the comparison tables.
import { fmtCount, fmtMs, type Table } from '../report/index.js'
import type { LoadProgress } from './variant.js'

const NON_TTY_EVERY_SEC = 10

export function progressText(variant: string, p: LoadProgress): string {
  const ms = (v: number | null) => (v === null ? '—' : fmtMs(v, 0))
  return `${variant.padEnd(22)} ${String(Math.round(p.elapsedSec)).padStart(4)}/${Math.round(p.totalSec)} s  ` +
    `users ${String(p.users).padStart(5)}  rps ${p.rps.toFixed(1).padStart(7)}  p50 ${ms(p.p50).padStart(9)}  ` +
    `p95 ${ms(p.p95).padStart(9)}  failures ${fmtCount(p.failures)}` +
    (p.tokensPerSec !== undefined ? `  ttft p50 ${ms(p.ttftP50 ?? null)}  tokens/s ${p.tokensPerSec.toFixed(0)}` : '')
}

export class ProgressPrinter {
  private current: string | null = null
  private lastPrinted = -Infinity

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {}

  update(variant: string, p: LoadProgress): void {
    const text = progressText(variant, p)
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${text}`)
    } else if (p.elapsedSec - this.lastPrinted >= NON_TTY_EVERY_SEC || (p.elapsedSec >= p.totalSec && this.lastPrinted < p.totalSec)) {
      this.out.write(`${text}\n`)
      this.lastPrinted = p.elapsedSec
    }
    this.current = text
  }

  /** Ends the variant's line (kept on screen) and prints `line` under it. */
  done(line: string): void {
    if (this.out.isTTY && this.current !== null) this.out.write('\n')
    this.current = null
    this.lastPrinted = -Infinity
    this.out.write(`${line}\n`)
  }
}

/** A table as aligned text: first column left, the others right. */
export function textTable(t: Table): string {
  const widths = t.header.map((h, i) => Math.max(h.length, ...t.rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  return [line(t.header), widths.map((w) => '-'.repeat(w)).join('  '), ...t.rows.map(line)].join('\n')
}
