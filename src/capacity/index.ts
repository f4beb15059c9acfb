// The capacity search as a library: what `floodgate capacity`, `floodgate bench --capacity` and
// `floodgate report <capacity folder>` call.
export { runCapacity, type CapacityOptions, type CapacityRun } from './run.js'
export { runBenchCapacity, type BenchCapacityOptions, type BenchCapacitySettings } from './bench.js'
export { DEFAULT_BUDGET_SEC, resolveCapacity, type CapacityLoadFlags } from './options.js'
export { isCapacityFolder, rewriteCapacityReport } from './report.js'
export { calibrationLine, clock, findingLines, progressLine, StepPrinter, stepLine } from './terminal.js'
export { loadText } from './summary.js'
export { stepsTable } from './tables.js'
export type { CapacityFile, CapacityStep } from './data.js'
