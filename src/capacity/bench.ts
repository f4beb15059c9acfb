// `floodgate bench --capacity`: the bench matrix as `floodgate bench` runs it, then a capacity search for
// each variant that ran (one after another, each with its own fresh services and its own budget), written
// to capacity/<variant>/ in the bench folder; the bench report is then written again, with the "capacity
// within SLO" column its tables read from those files.
import { join } from 'node:path'
import { runBench, type BenchRun, type RunBenchOptions } from '../bench/index.js'
import { messageOf } from '../errors.js'
import { writeBenchReport } from '../report/index.js'
import { searchSettings, type CapacityInput } from './options.js'
import { runCapacity, type CapacityOptions, type CapacityRun } from './run.js'

/** The search's settings shared by every variant (--slo, --mode, bounds, --step-time, --budget each). */
export type BenchCapacitySettings = Pick<CapacityInput, 'slo' | 'mode' | 'maxUsers' | 'maxRate' | 'stepTimeSec' | 'budgetSec'>

export interface BenchCapacityOptions extends RunBenchOptions {
  capacity: BenchCapacitySettings
  onCapacityStart?: (variant: string) => void
  onCapacity?: (variant: string, run: CapacityRun | null, error: string | null) => void
  /** Hooks of each variant's search, after onCapacityStart named it. */
  capacityHooks?: Pick<CapacityOptions, 'onCalibrated' | 'onProgress' | 'onStep'>
}

export const CAPACITY_DIR = 'capacity'

export async function runBenchCapacity(options: BenchCapacityOptions): Promise<BenchRun> {
  // Every setting is checked before the matrix runs: a bad --slo must not cost a whole bench first.
  const searchOf = (variant: string): CapacityInput => {
    const input: CapacityInput = { ...options.capacity }
    if (options.file !== undefined) input.file = options.file
    if (options.target !== undefined) input.target = options.target
    else input.variant = variant
    return input
  }
  searchSettings(options.capacity)
  const bench = await runBench(options)
  const signal = options.signal ?? new AbortController().signal
  for (const record of bench.records) {
    if (signal.aborted) break
    const variant = record.meta.name
    if (record.meta.status === 'failed') continue
    options.onCapacityStart?.(variant)
    try {
      const run = await runCapacity({
        ...searchOf(variant), ...options.capacityHooks, out: join(bench.dir, CAPACITY_DIR, variant), signal, graceMs: options.graceMs
      })
      options.onCapacity?.(variant, run, null)
    } catch (err) {
      // capacity.json is written before a failure is thrown: the column shows what the search found.
      options.onCapacity?.(variant, null, messageOf(err))
    }
  }
  const report = bench.records.length ? await writeBenchReport(bench.dir) : null
  return { ...bench, report, interrupted: signal.aborted }
}
