// The load generator's public API (what `floodgate load` and `floodgate bench` call).
import { runLocal, type RunHooks } from './local.js'
import { runProcesses } from './processes.js'
import { resolveOptions, type LoadOptions } from './options.js'
import { loadScenario } from './scenario.js'
import type { LoadResult } from './result.js'
import { markHistory } from './control.js'

export { mergeResults } from './merge.js'
export { checkLoadResult, checkShape, readLoadResult, type Shape } from './result-file.js'
export { readAndMergeResults, type MergedResults } from './merge-files.js'
export { parseDuration, parseThreshold, parseWait, parseHeader, parseCount, parsePositive, parseRate, parseSeconds } from './parse.js'
export type { Threshold, WaitSpec } from './parse.js'
export { evaluateThresholds, type ThresholdOutcome } from './thresholds.js'
export { waitSeconds } from './wait.js'
export { resultOfWindows, windowsBetween } from './window.js'
export { addHistogram, decodeHistogram, encodeHistogram, newHistogram, percentileMs, type Histogram } from './histogram.js'
export type { LoadOptions } from './options.js'
export { resolveOptions } from './options.js'
export type { LoadTick, RunHooks } from './local.js'
export type { ScenarioUser, ScenarioResponse, ScenarioRequestOptions, ScenarioFunction, ScenarioChatOptions } from './scenario.js'
export type { ChatMessage, ChatPrompt } from './prompts.js'
export type { OpenAiOptions, StreamingOptions } from './llm-options.js'
export { llmStats, llmStatsFields, type LlmStats } from './llm-stats.js'
export { percentileOf, type DistributionStats } from './distribution.js'
export { parseArrival, parseBurstiness, parseStreamMode } from './llm-options.js'
export { parseSlo } from './slo.js'
export { applyShard, parseShard, type Shard } from './shard.js'
export { CPU_WARNING } from './generator.js'
export { LoadControl, eventText, type LoadChange } from './control.js'
export * from './result.js'

/**
 * Runs a whole load test: in this process, or with `processes > 1` in child processes whose results
 * are merged exactly. Stops at the run time or when `signal` aborts (the result is then `interrupted`).
 * Bad options throw UsageError (naming the flag); an unreachable host still completes, all failures.
 */
export async function runLoad(options: LoadOptions, hooks: Pick<RunHooks, 'onTick' | 'signal' | 'control' | 'live'> = {}): Promise<LoadResult> {
  const plan = resolveOptions(options)
  // Load the scenario here once, so a broken module is reported as such, not as a child's crash.
  if (plan.config.processes > 1 && plan.config.scenario) await loadScenario(plan.config.scenario)
  const result = plan.config.processes <= 1 ? await runLocal(plan, hooks) : await runProcesses(plan, hooks)
  const events = hooks.control?.events ?? []
  if (events.length) {
    result.events = [...events]
    markHistory(result.history, events)
  }
  return result
}
