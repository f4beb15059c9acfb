// Number formats shared by the bench report's markdown, HTML and terminal table: one place, so the
// three always show a figure the same way.

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

export function fmtCount(n: number): string {
  return grouped.format(n)
}

/** Milliseconds: whole above 100 ms, else with `digits` decimals. */
export function fmtMs(ms: number, digits = 1): string {
  if (!Number.isFinite(ms)) return String(ms)
  if (Math.abs(ms) >= 100) return `${grouped.format(Math.round(ms))} ms`
  return `${ms.toFixed(digits)} ms`
}

export function fmtSec(sec: number): string {
  if (Math.abs(sec) < 1) return fmtMs(sec * 1000)
  return `${sec.toFixed(sec >= 100 ? 0 : 2)} s`
}

export function fmtPct(pct: number, digits = 1): string {
  return `${pct.toFixed(digits)}%`
}

export function fmtRate(rps: number): string {
  return `${rps.toFixed(rps >= 100 ? 1 : 2)} req/s`
}

/** A table cell: a number in the study's style (ms with up to 2 decimals, counts grouped), or an em dash. */
export function cell(value: number | undefined | null, digits = 2): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return '—'
  if (Number.isInteger(value)) return grouped.format(value)
  return new Intl.NumberFormat('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(value)
}

export function fmtBytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`
}
