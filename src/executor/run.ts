// One execution of a compiled flow. Each node starts as soon as the nodes it references have finished
// (no level barriers): a finished node decrements its dependents' counters and starts those reaching 0.
// Per run this allocates a few arrays sized by the node count and one trace record per node.
// A flow with sync tools runs once it holds one of the flow's run slots (run-slots.ts); its sync nodes
// go to the pool tagged with the run's sequence number, so pool threads serve runs in the order they
// started.
import { isDeepStrictEqual } from 'node:util'
import { AbortedError, FloodgateError, TimeoutError, ToolError, messageOf } from '../errors.js'
import { INPUT, LITERAL, NODE, isPlainObject, walkPath, type Plan, type Ref } from '../flow/plan.js'
import type { PoolClient, PoolTask, ToolPool } from './pool.js'
import type { RunSlots, SlotWaiter } from './run-slots.js'
import type { LlmCall, NodeTrace, RunListener, RunOptions, RunResult, RunTrace } from './types.js'
import type { LlmToolContext } from '../llm/index.js'
import { ToolScope, toolScope, type FaultKind, type ScopedRun } from './tool-scope.js'
import { nodeError, nodeStream } from './node-error.js'
import { isStream } from '../flow/stream.js'

const RUNNING = 1
const OK = 2
const BYPASSED = 3
const FAILED = 4
const CANCELLED = 5

export interface Executable {
  plan: Plan
  pool: ToolPool | null
  /** Runs of a flow with sync tools that execute at once; null for flows without. */
  slots: RunSlots | null
  nodeTimeoutMs: number
  runTimeoutMs: number
  /** Runs created so far: the next run's sequence number. */
  runs: number
}

const NO_SLOT = 0
const WAITING = 1
const HOLDING = 2

export class FlowRun implements PoolClient, SlotWaiter, ScopedRun {
  // The promise is made only when read: a served run tells its request through a listener instead, which
  // spares it two promises, four closures and their async-hook calls, all held as long as the run.
  private made: Promise<RunResult> | null = null
  private resolve: ((result: RunResult) => void) | null = null
  private reject: ((err: unknown) => void) | null = null
  private result: RunResult | null = null
  private error: FloodgateError | null = null
  // Plain arrays of small integers, not typed arrays: a served run lives as long as its slowest tool
  // (seconds with an LLM behind it), so its objects are promoted, and a typed array is three objects
  // (view, ArrayBuffer, backing store off the heap, which the GC sweeps apart): about 540 bytes a run
  // held for these two against about 130.
  private readonly remaining: number[]
  private readonly state: number[]
  private readonly results: unknown[]
  private readonly traces: Array<NodeTrace | undefined>
  private readonly nodeTimers: Array<NodeJS.Timeout | undefined> | null
  /** Pool tasks in progress, by node; made on the first. */
  private tasks: Array<PoolTask | null> | null = null
  private readonly seq: number
  private slot = NO_SLOT
  private waitMs = 0
  // Made only when a tool reads its signal: an AbortController costs a few microseconds, a large share
  // of a one-node run's overhead, and most async tools never look at it.
  private controller: AbortController | null = null
  private readonly context: LlmToolContext
  private readonly t0 = performance.now()
  // Epoch ms on the trace clock (src/clock.ts), from the same reading as t0.
  private readonly startedAt = performance.timeOrigin + this.t0
  private scratch: unknown[] | null = null
  private left: number
  private settled = false
  private runTimer: NodeJS.Timeout | undefined
  private readonly external: AbortSignal | undefined
  // Made only for a run given a signal: a closure per run is a cost most runs (served ones) never need.
  private onExternalAbort: (() => void) | null = null

  constructor(
    private readonly flow: Executable,
    private readonly inputs: Record<string, unknown>,
    private readonly options: RunOptions,
    private readonly listener: RunListener | null = null
  ) {
    const n = flow.plan.nodes.length
    this.remaining = flow.plan.depCounts.slice()
    this.state = new Array<number>(n).fill(0)
    this.results = new Array<unknown>(n)
    this.traces = new Array<NodeTrace | undefined>(n)
    this.nodeTimers = flow.nodeTimeoutMs > 0 ? new Array<NodeJS.Timeout | undefined>(n) : null
    this.left = n
    this.seq = flow.runs++
    this.context = new RunContext(this)
    this.external = options.signal
  }

  get promise(): Promise<RunResult> {
    if (this.made === null) {
      if (this.result !== null) this.made = Promise.resolve(this.result)
      else if (this.error !== null) this.made = Promise.reject(this.error)
      else {
        this.made = new Promise<RunResult>((resolve, reject) => {
          this.resolve = resolve
          this.reject = reject
        })
      }
    }
    return this.made
  }

  /** The signal tools receive: aborted when the run fails, times out or is aborted. */
  get signal(): AbortSignal {
    this.controller ??= new AbortController()
    return this.controller.signal
  }

  /** Ends the run now with `reason` (a caller's timeout, a client gone); tools are told to stop. */
  abort(reason: FloodgateError): void {
    this.settleError(reason)
  }

  start(): void {
    const external = this.external
    if (external) {
      const onAbort = (): void => this.settleError(new AbortedError(`run aborted: ${messageOf(external.reason)}`, { reason: external.reason }))
      if (external.aborted) {
        onAbort()
        return
      }
      this.onExternalAbort = onAbort
      external.addEventListener('abort', onAbort, { once: true })
    }
    const timeoutMs = this.options.timeoutMs ?? this.flow.runTimeoutMs
    if (timeoutMs > 0) this.runTimer = setTimeout(() => this.onRunTimeout(timeoutMs), timeoutMs)
    const slots = this.flow.slots
    if (slots) {
      // The wait for a slot counts against the run's timeout.
      this.slot = slots.acquire(this) ? HOLDING : WAITING
      if (this.slot === WAITING) return
    }
    this.begin()
  }

  /** Called by the run slots when this run's turn comes. */
  slotGranted(): void {
    this.slot = HOLDING
    this.waitMs = performance.now() - this.t0
    this.begin()
  }

  private begin(): void {
    if (this.left === 0) this.finish()
    const roots = this.flow.plan.roots
    for (let k = 0; k < roots.length && !this.settled; k++) this.startNode(roots[k]!)
  }

  /** A pool task's outcome (see pool.ts). */
  poolDone(i: number, ok: boolean, value: unknown): void {
    const task = this.tasks![i]!
    this.tasks![i] = null
    // The node started when a thread took it: a wait for a thread is its own figure, not the tool's time.
    const trace = this.traces[i]!
    const queuedMs = task.startedAt - this.t0 - trace.startMs
    if (task.startedAt > 0 && queuedMs >= 1) {
      trace.queuedMs = queuedMs
      trace.startMs += queuedMs
    }
    if (task.ranFrom > 0) {
      trace.threadStartedAt = task.ranFrom
      trace.threadEndedAt = task.ranTo
    }
    if (ok) this.complete(i, value)
    else this.fail(i, value)
  }

  private startNode(i: number): void {
    const node = this.flow.plan.nodes[i]!
    const trace: NodeTrace = { node: node.name, startMs: performance.now() - this.t0, durationMs: 0, status: 'ok', ranOn: node.place }
    this.traces[i] = trace
    let args: Record<string, unknown>
    try {
      if (this.shouldBypass(i)) {
        this.state[i] = BYPASSED
        trace.status = 'bypassed'
        this.release(i)
        return
      }
      args = {}
      const names = node.inputNames
      const refs = node.inputRefs
      for (let k = 0; k < names.length; k++) args[names[k]!] = this.resolveRef(refs[k]!, node.name, names[k]!)
    } catch (err) {
      this.fail(i, err)
      return
    }
    this.state[i] = RUNNING
    if (this.options.capture) trace.inputs = args
    if (this.nodeTimers) {
      const ms = this.flow.nodeTimeoutMs
      this.nodeTimers[i] = setTimeout(() => this.fail(i, new TimeoutError(`node "${node.name}" timed out after ${ms} ms`, { node: node.name, timeoutMs: ms })), ms)
    }
    if (node.call === null) {
      this.tasks ??= new Array<PoolTask | null>(this.flow.plan.nodes.length).fill(null)
      this.tasks[i] = this.flow.pool!.run(this, i, node.poolIndex, args, this.seq)
      return
    }
    let pending: unknown
    try {
      // A loop tool runs in a scope of its own, so that a fault its code raises later where nothing can
      // catch it (tool-scope.ts) still fails this run, not the process.
      pending = toolScope.run(new ToolScope(this, i, node.name), node.call, args, this.context)
    } catch (err) {
      this.fail(i, err)
      return
    }
    if (pending !== null && typeof pending === 'object' && typeof (pending as Promise<unknown>).then === 'function') {
      ;(pending as Promise<unknown>).then((value) => this.complete(i, value), (err: unknown) => this.fail(i, err))
    } else {
      this.complete(i, pending)
    }
  }

  // As PromptFlow decides it (executor/_dag_manager.py, _is_node_bypassable): a node with `activate` by its
  // condition alone (bypassed when the condition's node was, or when `when` is not `is`), even when every
  // node its inputs reference was bypassed; a node without, when every node it references was.
  private shouldBypass(i: number): boolean {
    const node = this.flow.plan.nodes[i]!
    const activate = node.activate
    if (activate) {
      const when = activate.when
      if (when.kind === NODE && this.state[when.index] === BYPASSED) return true
      return !isDeepStrictEqual(this.resolveRef(when, node.name, 'activate.when'), activate.is)
    }
    const deps = node.deps
    if (deps.length === 0) return false
    for (let k = 0; k < deps.length; k++) if (this.state[deps[k]!] !== BYPASSED) return false
    return true
  }

  /** A reference's value. `nodeName` and `arg` only name the place in errors (nodeName null: an output). */
  private resolveRef(ref: Ref, nodeName: string | null, arg: string): unknown {
    if (ref.kind === LITERAL) return ref.value
    let base: unknown
    if (ref.kind === INPUT) {
      base = this.inputs[ref.name]
    } else {
      if (this.state[ref.index] === BYPASSED) return undefined
      base = this.results[ref.index]
    }
    if (ref.path === null) return base
    const scratch = (this.scratch ??= [undefined])
    const missing = walkPath(base, ref.path, scratch)
    if (missing < 0) return scratch[0]
    const owner = ref.kind === INPUT ? `input "${ref.name}"` : `the output of node "${ref.name}"`
    const prop = ref.path.slice(0, missing + 1).join('.')
    const place = nodeName === null ? `output "${arg}"` : `node "${nodeName}": ${arg === 'activate.when' ? arg : `input "${arg}"`}`
    throw new ToolError(`${place}: ${ref.text}: ${owner} has no property "${prop}"`, nodeName === null ? { field: `outputs.${arg}` } : { node: nodeName, field: arg })
  }

  private complete(i: number, value: unknown): void {
    if (this.settled) return
    this.endNode(i)
    if (this.options.capture) this.traces[i]!.output = value
    this.results[i] = value
    this.state[i] = OK
    this.release(i)
  }

  private endNode(i: number): void {
    const trace = this.traces[i]!
    trace.durationMs = performance.now() - this.t0 - trace.startMs
    if (this.nodeTimers) clearTimeout(this.nodeTimers[i])
  }

  private release(i: number): void {
    this.left--
    const dependents = this.flow.plan.nodes[i]!.dependents
    for (let k = 0; k < dependents.length && !this.settled; k++) {
      const d = dependents[k]!
      if (--this.remaining[d]! === 0) this.startNode(d)
    }
    if (this.left === 0 && !this.settled) this.finish()
  }

  private fail(i: number, err: unknown): void {
    if (this.settled) return
    const node = this.flow.plan.nodes[i]!
    // A node that already finished keeps its timing when a fault of its code fails the run later.
    if (this.state[i] !== OK) this.endNode(i)
    this.state[i] = FAILED
    const error = nodeError(node.name, err)
    this.traces[i]!.status = 'failed'
    this.traces[i]!.error = error.message
    this.settleError(error)
  }

  get requestId(): string | undefined {
    return this.options.requestId
  }

  /** An llm node's call, reported by the LLM client through its tool context (RunContext). */
  noteLlmCall(i: number, call: LlmCall): void {
    const trace = this.traces[i]
    if (trace) trace.llm = call
  }

  /** A fault raised by node i's code outside any await (see tool-scope.ts). */
  failFromScope(i: number, err: unknown, kind: FaultKind): boolean {
    if (this.settled) return false
    const name = this.flow.plan.nodes[i]!.name
    this.fail(i, new ToolError(`node "${name}" failed: ${kind} in its code: ${messageOf(err)}`, { node: name }, { cause: err }))
    return true
  }

  private onRunTimeout(ms: number): void {
    const running = this.flow.plan.nodes.filter((_, i) => this.state[i] === RUNNING).map((n) => n.name)
    const still = running.length ? ` (still running: ${running.join(', ')})` : ''
    this.settleError(new TimeoutError(`run timed out after ${ms} ms${still}`, { timeoutMs: ms, running }))
  }

  private cleanup(): void {
    this.settled = true
    if (this.runTimer) clearTimeout(this.runTimer)
    // No node timer is left to clear here: endNode() clears each, for a node that finished or failed, and
    // settleError() ends the nodes still running.
    if (this.onExternalAbort) this.external!.removeEventListener('abort', this.onExternalAbort)
  }

  private settleError(err: FloodgateError): void {
    if (this.settled) return
    this.cleanup()
    // Nodes still running when the run fails (its timeout, another node's failure, an abort) are cut off
    // here: their trace says so and how long they ran, not "ok" after 0 ms.
    for (let i = 0; i < this.state.length; i++) {
      if (this.state[i] !== RUNNING) continue
      this.state[i] = CANCELLED
      this.endNode(i)
      this.traces[i]!.status = 'cancelled'
      this.traces[i]!.error = `cancelled: ${err.message}`
    }
    err.details.trace = this.trace()
    // Tools still running are told to stop; pool tasks are cancelled (a running one's thread is stopped).
    this.controller?.abort(err)
    const tasks = this.tasks
    if (tasks) {
      for (let k = 0; k < tasks.length; k++) {
        const task = tasks[k]
        if (task) {
          tasks[k] = null
          this.flow.pool!.cancel(task)
        }
      }
    }
    this.error = err
    this.reject?.(err)
    this.leaveSlot()
    // Told after the slot is passed on, as a promise's reaction was: the listener's work (sending the
    // answer) does not hold up the next run.
    this.listener?.runFailed(err)
  }

  /** Settling's step before the caller is told: the slot goes to the next run (which may start right here). */
  private leaveSlot(): void {
    const state = this.slot
    this.slot = NO_SLOT
    if (state === HOLDING) this.flow.slots!.release()
    else if (state === WAITING) this.flow.slots!.cancel(this)
  }

  private finish(): void {
    let outputs: Record<string, unknown>
    try {
      outputs = this.collectOutputs()
    } catch (err) {
      this.settleError(err as FloodgateError)
      return
    }
    this.cleanup()
    const result: RunResult = { outputs, trace: this.trace() }
    this.result = result
    this.resolve?.(result)
    this.leaveSlot()
    this.listener?.runDone(result)
  }

  private trace(): RunTrace {
    const nodes: NodeTrace[] = []
    for (const t of this.traces) if (t) nodes.push(t)
    const trace: RunTrace = { requestId: this.options.requestId, startedAt: this.startedAt, durationMs: performance.now() - this.t0, nodes }
    if (this.waitMs > 0) trace.slotWaitMs = this.waitMs
    return trace
  }

  private collectOutputs(): Record<string, unknown> {
    const plan = this.flow.plan
    if (plan.flexOutputNames) return this.flexOutputs(plan.flexOutputNames)
    const outputs: Record<string, unknown> = {}
    for (const { name, ref } of plan.outputs) {
      const value = this.resolveRef(ref, null, name)
      outputs[name] = value === undefined ? null : ref.kind === NODE && isStream(value) ? nodeStream(ref.name, value) : value
    }
    return outputs
  }

  /** A flex entry's return value: picked by declared output names, else the object itself, else {output}. */
  private flexOutputs(names: string[]): Record<string, unknown> {
    const value = this.results[0]
    if (names.length === 0) return isPlainObject(value) ? value : { output: value === undefined ? null : isStream(value) ? nodeStream(this.flow.plan.nodes[0]!.name, value) : value }
    const entry = this.flow.plan.nodes[0]!.name
    if (!isPlainObject(value)) throw new ToolError(`${entry} returned ${value === null ? 'null' : typeof value}, but the flow declares outputs ${names.join(', ')}: return an object with them`, { node: entry })
    const outputs: Record<string, unknown> = {}
    for (const name of names) {
      if (!Object.hasOwn(value, name)) throw new ToolError(`${entry} returned no "${name}", a declared output`, { node: entry, field: `outputs.${name}` })
      const field = value[name]
      outputs[name] = isStream(field) ? nodeStream(entry, field) : field
    }
    return outputs
  }
}

/**
 * A tool's context whose signal exists only once read. One per run, shared by its loop nodes: an llm
 * node's call is put in the trace of the node whose scope it is made in.
 */
class RunContext implements LlmToolContext {
  constructor(private readonly run: FlowRun) {}

  get signal(): AbortSignal {
    return this.run.signal
  }

  noteLlmCall(call: LlmCall): void {
    const scope = toolScope.getStore()
    if (scope?.run === this.run) this.run.noteLlmCall(scope.node, call)
  }
}
