// The bench as a library: what `floodgate bench` and `floodgate report` do, as typed functions.
export { runBench, DEFAULT_BENCH_FILE, type RunBenchOptions, type BenchRun } from './run.js'
export { loadBenchConfig, readBenchConfig } from './config.js'
export { planBench, type BenchOptions, type VariantPlan } from './plan.js'
export type { BenchConfig, LoadProfile, ServiceConfig, VariantConfig } from './config-types.js'
export type { LoadProgress } from './variant.js'
export { ProgressPrinter, textTable } from './terminal.js'
export { writeBenchReport, analyzeBench, analyzeVariant, type WrittenReport, type VariantAnalysis, type Finding } from '../report/index.js'
export type { BenchManifest, VariantMeta, VariantRecord, VariantSamples } from '../report/bench/data.js'
