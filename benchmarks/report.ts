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
