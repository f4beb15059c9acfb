// The bench as a library: what `floodgate bench` and `floodgate report` do, as typed functions.
export { runBench, DEFAULT_BENCH_FILE, type RunBenchOptions, type BenchRun } from './run.js'
export { loadBenchConfig, readBenchConfig } from './config.js'
export { planBench, type BenchOptions, type VariantPlan } from './plan.js'
export type { BenchConfig, LoadProfile, ServiceConfig, VariantConfig } from './config-types.js'
export type { LoadProgress } from './variant.js'
export { ProgressPrinter } from './terminal.js'
export { writeBenchReport, analyzeBench, analyzeVariant, type WrittenReport, type VariantAnalysis, type Finding } from '../report/index.js'
export type { BenchManifest, VariantMeta, VariantRecord, VariantSamples } from '../report/bench/data.js'
// What `floodgate capacity` searches with: a bench variant's services, load child, sampler and metrics
// scrape, run step after step.
export { ChildGroup } from './child.js'
export { metricsSample, nodeTimings } from './prometheus.js'
export { descendantsOf, readProc } from './procfs.js'
export { Sampler, scrapeMetrics, type SampledRoot } from './sampler.js'
export { sampledRoots, startServices, stopServices, type RunningService } from './services.js'
export { baseMeta, runLoad as runVariantLoad } from './variant.js'
export { requestSpec, warmUp, type RequestSpec } from './warmup.js'
export type { UrlService } from './config-types.js'
