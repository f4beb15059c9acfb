// Helpers for benchmark files: print the RESULT line that benchmarks/run.ts collects.
export interface Metric { metric: string; value: number; unit: string; target?: string; pass?: boolean }

export function emit(name: string, metrics: Metric[]): void {
  process.stdout.write(`RESULT ${JSON.stringify({ name, metrics })}\n`)
}

/** Rounds for display without losing the figure's meaning. */
export function round(n: number, digits = 2): number {
  const f = 10 ** digits
  return Math.round(n * f) / f
}

/** The median of interleaved rounds' figures (they come and go with others' load on a shared machine). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
