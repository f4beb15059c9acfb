// Batch runs over a dataset (`floodgate run <flow> --data ...`), PromptFlow's `pf run`.
export { runBatch, type BatchOptions, type BatchOutcome } from './run.js'
export { readData, type DataSet } from './data.js'
export { summaryText } from './report.js'
export type { Summary } from './folder.js'
