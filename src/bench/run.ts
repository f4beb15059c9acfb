// `floodgate bench`: runs each variant of a bench.yaml one after another (they would disturb each
// other's figures), saves their files, then writes the report. Ctrl-C stops the running variant,
// keeps what it measured, and still writes the report.
import { mkdirSync } from 'node:fs'
import { availableParallelism, cpus, totalmem } from 'node:os'
import { isAbsolute, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BENCH_DATA_VERSION, type BenchManifest, type VariantRecord } from '../report/bench/data.js'
import { MANIFEST, writeBenchReport, writeJson, type WrittenReport } from '../report/index.js'
import { loadBenchConfig } from './config.js'
import { planBench, type BenchOptions } from './plan.js'
import { runVariant, type LoadProgress } from './variant.js'

export interface RunBenchOptions extends BenchOptions {
  /** bench.yaml; default: the study's matrix, examples/promptflow-serve/bench.yaml. */
  file?: string
  /** Output folder; default reports/<timestamp>/. */
  out?: string
  signal?: AbortSignal
  onProgress?: (variant: string, progress: LoadProgress) => void
  /** Called when a variant ends, with its record. */
  onVariant?: (record: VariantRecord) => void
  graceMs?: number
}

export interface BenchRun {
  dir: string
  records: VariantRecord[]
  /** Null when no variant ran (interrupted before the first). */
  report: WrittenReport | null
  interrupted: boolean
}

export const DEFAULT_BENCH_FILE = fileURLToPath(new URL('../../examples/promptflow-serve/bench.yaml', import.meta.url))

function display(path: string): string {
  const rel = relative(process.cwd(), path)
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path
}

function timestamp(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, '').replace(/:/g, '-')
}

export async function runBench(options: RunBenchOptions = {}): Promise<BenchRun> {
  const file = resolve(options.file ?? DEFAULT_BENCH_FILE)
  const config = loadBenchConfig(file, options.file ?? display(file))
  const plans = planBench(config, options)
  const dir = resolve(options.out ?? `reports/${timestamp()}`)
  mkdirSync(dir, { recursive: true })
  const cpu = cpus()[0]
  const manifest: BenchManifest = {
    version: BENCH_DATA_VERSION, tool: 'floodgate', name: config.name, config: display(file), full: Boolean(options.full),
    createdAt: new Date().toISOString(),
    machine: {
      cores: availableParallelism(), memoryBytes: totalmem(), cpuModel: cpu?.model.trim() ?? 'unknown',
      node: process.versions.node, platform: `${process.platform}-${process.arch}`
    },
    variants: plans.map((p) => p.name)
  }
  // Written first: a run cut short still leaves a folder `floodgate report` can read.
  writeJson(resolve(dir, MANIFEST), manifest)
  const signal = options.signal ?? new AbortController().signal
  const records: VariantRecord[] = []
  for (const plan of plans) {
    if (signal.aborted) break
    const record = await runVariant(plan, { outDir: dir, signal, onProgress: options.onProgress, graceMs: options.graceMs })
    records.push(record)
    options.onVariant?.(record)
  }
  const report = records.length ? await writeBenchReport(dir) : null
  return { dir, records, report, interrupted: signal.aborted }
}
