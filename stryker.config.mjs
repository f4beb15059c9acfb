// StrykerJS mutation testing over the modules whose correctness is the product's promise. Each module is
// mutated against its own fast test files only (the tap runner runs node:test files, which print TAP
// when not on a terminal). `npm run test:mutation` (scripts/mutation.mjs) runs Stryker once per module
// with FLOODGATE_MUTATION_MODULE set; without it this file mutates every module against every listed
// test file. Not part of `npm test`: see docs/mutation.md for how long it takes.

/** name -> the source files mutated, and the test files that must kill their mutants. */
export const modules = {
  'load-stats': {
    mutate: ['src/load/histogram.ts', 'src/load/recorder.ts', 'src/load/stats.ts', 'src/load/merge.ts'],
    tests: ['test/load/stats.test.ts', 'test/load/merge.test.ts', 'test/report/merge/exact.test.ts']
  },
  'open-loop': {
    mutate: ['src/load/open.ts', 'src/load/arrival-schedule.ts'],
    tests: ['test/load/arrivals.test.ts', 'test/load/open.test.ts', 'test/load/arrival-schedule.test.ts', 'test/load/control.test.ts']
  },
  admission: {
    mutate: ['src/serve/admission.ts'],
    tests: ['test/serve/admission.test.ts']
  },
  deadlines: {
    mutate: ['src/serve/deadlines.ts'],
    tests: ['test/serve/deadlines.test.ts']
  },
  // Scheduling and cancellation of a run, and a tool's stray faults. The pool's tests (11 s: they start
  // threads and wait out timeouts) run only for the mutants they reach (coverage per test file): run.ts
  // holds the timing and cancellation of pool tasks too, which no other fast test reaches.
  'executor-run': {
    mutate: ['src/executor/run.ts'],
    tests: ['test/executor/run.test.ts', 'test/executor/scheduling.test.ts', 'test/executor/faults.test.ts', 'test/executor/pool.test.ts']
  },
  'executor-pool': {
    mutate: ['src/executor/pool.ts'],
    tests: ['test/executor/pool.test.ts']
  },
  sse: {
    mutate: ['src/serve/stream.ts', 'src/llm/stream.ts'],
    tests: ['test/serve/stream.test.ts', 'test/llm/stream.test.ts', 'test/llm/client.test.ts']
  },
  retries: {
    mutate: ['src/llm/retry.ts'],
    tests: ['test/llm/retry.test.ts', 'test/llm/client.test.ts']
  },
  analysis: {
    mutate: ['src/report/bench/analysis.ts'],
    tests: ['test/report/analysis.test.ts', 'test/report/analysis-rules.test.ts']
  },
  // What a stream's TTFT, ITL and token counts come from.
  'stream-reader': {
    mutate: ['src/load/stream-reader.ts'],
    tests: ['test/load/stream-reader.test.ts', 'test/load/stream-timing.test.ts']
  },
  // The closed loop's fast path: the HTTP/1.1 answers it reads, and the connection it keeps.
  'raw-client': {
    mutate: ['src/load/response-reader.ts', 'src/load/raw-client.ts'],
    tests: ['test/load/response-reader.test.ts', 'test/load/raw-client.test.ts']
  },
  // The capacity answer: the search's next step and its bounds, and how a step's steady seconds are judged.
  'capacity-search': {
    mutate: ['src/capacity/search.ts', 'src/capacity/steady.ts', 'src/capacity/slo.ts'],
    tests: ['test/capacity/search.test.ts', 'test/capacity/search-rules.test.ts', 'test/capacity/steady.test.ts', 'test/capacity/slo.test.ts']
  },
  // TTFT, ITL, TPOT and goodput from the recorded streams, and the per-request SLOs behind goodput.
  'llm-stats': {
    mutate: ['src/load/llm-stats.ts', 'src/load/slo.ts'],
    tests: ['test/load/llm-stats.test.ts', 'test/load/window.test.ts', 'test/load/llm-thresholds.test.ts', 'test/report/merge/llm.test.ts', 'test/load/stream-timing.test.ts']
  },
  // --threshold's and the load flags' grammar, the thresholds' evaluation, the stream distributions'
  // statistics, and the steady windows a capacity step is judged on.
  thresholds: {
    mutate: ['src/load/parse.ts', 'src/load/thresholds.ts', 'src/load/distribution.ts', 'src/load/window.ts'],
    tests: ['test/load/parse.test.ts', 'test/load/distribution.test.ts', 'test/load/llm-thresholds.test.ts', 'test/load/llm-stats.test.ts', 'test/load/window.test.ts', 'test/capacity/steady.test.ts']
  },
  // What tool code runs on: sleep() and the abort watch list every served run's tools share.
  'tool-runtime': {
    mutate: ['src/tool-runtime/abort.ts', 'src/tool-runtime/sleep.ts'],
    tests: ['test/tool-runtime/abort.test.ts', 'test/tool-runtime/sleep.test.ts', 'test/tools/tools.test.ts']
  },
  // A served request's boundary: its body, Accept and API key read, its id, and every error as one HTTP answer
  // (with shown(), which quotes a value at fault in its messages).
  'serve-boundary': {
    mutate: ['src/serve/errors.ts', 'src/serve/body.ts', 'src/serve/negotiate.ts', 'src/serve/auth.ts', 'src/serve/request-id.ts', 'src/shown.ts'],
    tests: ['test/shown.test.ts', 'test/serve/errors.test.ts', 'test/serve/body.test.ts', 'test/serve/negotiate.test.ts', 'test/serve/request-id.test.ts', 'test/serve/auth.test.ts', 'test/serve/leaks.test.ts', 'test/serve/api.test.ts', 'test/serve/envelope.test.ts']
  },
  // What a flow folder and a request's inputs are checked against: fields, references, cycles, the plan's order.
  'flow-validation': {
    mutate: ['src/flow/inputs.ts', 'src/flow/references.ts', 'src/flow/dag.ts', 'src/flow/graph.ts', 'src/flow/plan.ts', 'src/flow/where.ts'],
    tests: ['test/flow/inputs.test.ts', 'test/flow/references.test.ts', 'test/flow/graph.test.ts', 'test/flow/where.test.ts', 'test/flow/validation.test.ts', 'test/flow/rules.test.ts']
  },
  // The closed loop's users: how long each waits (--wait) or backs off, its client, its retirement and stop.
  'closed-loop': {
    mutate: ['src/load/closed.ts', 'src/load/wait.ts'],
    tests: ['test/load/wait.test.ts', 'test/load/closed.test.ts', 'test/load/errors.test.ts', 'test/load/control.test.ts']
  },
  // The mock LLM: the source whose timing (first token, gap between tokens) the stream metrics' tests control.
  'mock-llm': {
    mutate: ['src/mock/llm/completion.ts', 'src/mock/llm/content.ts', 'src/mock/llm/errors.ts', 'src/mock/llm/rate-limit.ts', 'src/mock/llm/validate.ts'],
    tests: ['test/mock/llm.test.ts', 'test/mock/llm-errors.test.ts']
  },
  // A batch run's data: the lines read, the inputs mapped from them, the outputs kept in order, the summary.
  'batch-data': {
    mutate: ['src/batch/data.ts', 'src/batch/mapping.ts', 'src/batch/ordered.ts', 'src/batch/stats.ts'],
    tests: ['test/batch/data.test.ts', 'test/batch/mapping.test.ts', 'test/batch/ordered.test.ts', 'test/batch/stats.test.ts']
  }
}

const selected = process.env.FLOODGATE_MUTATION_MODULE
const chosen = selected ? [modules[selected]] : Object.values(modules)
if (chosen[0] === undefined) throw new Error(`FLOODGATE_MUTATION_MODULE: no module "${selected}" (modules: ${Object.keys(modules).join(', ')})`)
const reportDir = `reports/mutation/${selected ?? 'all'}`

export default {
  testRunner: 'tap',
  plugins: ['@stryker-mutator/tap-runner'],
  tap: {
    testFiles: [...new Set(chosen.flatMap((m) => m.tests))],
    // TypeScript through tsx, as `npm test` runs it.
    nodeArgs: ['--import', 'tsx'],
    forceBail: true
  },
  mutate: chosen.flatMap((m) => m.mutate),
  // Per test file: a mutant runs only the files that reached it.
  coverageAnalysis: 'perTest',
  // Other work shares this machine's two cores; timing tests need one of them.
  concurrency: 1,
  // Timing tests wait on purpose; a mutant that makes them hang is cut at 3x their normal time plus this.
  timeoutMS: 15_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `${reportDir}/mutation.html` },
  jsonReporter: { fileName: `${reportDir}/mutation.json` },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true
}
