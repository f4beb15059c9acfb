// The cluster primary of `floodgate serve --workers N` and `floodgate mock --workers N`: forks the workers
// (worker 0 alone, the others once it is ready), restarts a worker that dies with a growing backoff, kills
// and replaces one whose event loop stops answering (heartbeat.ts), answers the workers' requests through
// `onRequest` (serve's /metrics, mock's /stats), and on shutdown asks every worker to drain (SIGTERM),
// killing any still running after the grace period.
// It serves no request itself, so a crash in a worker never takes it down. Its callers add what is theirs
// (serve: the metrics of the cluster, pino log lines; mock: summed counters) through hooks.
import cluster, { type Worker } from 'node:cluster'
import { fileURLToPath } from 'node:url'
import { ConfigError, FlowDefinitionError, StartupError, UsageError, type FloodgateError } from '../errors.js'
import { processExecArgv } from './flags.js'
import { Heartbeat } from './heartbeat.js'
import { FATAL, READY, Requests, isMessage, reply, type FatalMessage, type ReadyMessage, type Request } from './messages.js'

/**
 * How connections reach the workers. `shared`: every worker accepts from the listening socket itself.
 * `round-robin`: the primary accepts each connection and hands it to the next worker over IPC.
 * node:cluster's choice is process-wide: the first primary started in a process sets it, and env
 * NODE_CLUSTER_SCHED_POLICY (rr or none), when set, overrides both.
 */
export type AcceptPolicy = 'shared' | 'round-robin'

export interface PrimaryOptions {
  /** The workers' entry file (siblingUrl). */
  entry: URL
  /** Environment variables added for worker `index`. */
  env(index: number): Record<string, string>
  /** How many workers to run in all, once worker 0 is ready and has said what it holds. */
  workers(first: ReadyMessage): number
  accept: AcceptPolicy
  /** A ready worker silent this long is killed and replaced; 0 turns the heartbeat off. */
  heartbeatMs: number
  /** On shutdown, how long workers may take to drain before they are killed. */
  graceMs: number
  /** A worker's request (a message with an id): resolve with the answer. */
  onRequest?(worker: Worker, request: Request): Promise<unknown>
  events?: PrimaryEvents
}

/** What happens in the primary, for its caller's log and metrics. */
export interface PrimaryEvents {
  /** A worker is ready; `restarted` when it replaces one that died. */
  ready?(index: number, worker: Worker, message: ReadyMessage, restarted: boolean): void
  /** A worker exited unexpectedly; a new one starts in `restartInMs`. */
  exited?(index: number, worker: Worker, exit: { code: number | null; signal: string | null; livedMs: number; restartInMs: number }): void
  /** A worker started to replace one could not start (it exits, and is restarted again after a backoff). */
  failedRestart?(index: number, worker: Worker, message: string): void
  /** The heartbeat found a worker silent for `silentMs`: it is killed (SIGKILL) now. */
  silent?(index: number, worker: Worker, silentMs: number): void
  /** A worker is gone, for whatever reason: what it counted is final. */
  gone?(worker: Worker): void
  /** Shutdown began. */
  draining?(): void
  /** A worker did not drain within the grace period: it is killed now. */
  killedLate?(worker: Worker): void
}

export interface Primary {
  /** Resolves once every worker started at start-up is ready; rejects with why one could not start. */
  started: Promise<void>
  /** The port the workers listen on, as the first ready worker reported it. */
  port: number
  /** Worker processes started at start-up. */
  processes: number
  /** Workers ready to serve and alive. */
  readyWorkers(): Worker[]
  /** Sends a request to a worker; resolves with its reply, or undefined when none came within `timeoutMs`. */
  ask(worker: Worker, message: { type: string; [field: string]: unknown }, timeoutMs: number): Promise<unknown>
  /** Resolves when every worker has exited after shutdown(). */
  closed: Promise<void>
  /** Stops restarting workers and asks each to drain (SIGTERM); kills any left after the grace period. */
  shutdown(): void
}

const RESTART_BASE_MS = 250
const RESTART_MAX_MS = 30_000
/** A worker that lived this long counts as healthy: its slot's backoff starts over. */
const HEALTHY_AFTER_MS = 10_000
/** Beyond the grace period, how long the primary waits before it kills workers that did not exit. */
const KILL_MARGIN_MS = 5_000

interface Slot {
  worker: Worker
  startedAt: number
  failures: number
  ready: boolean
}

/** Forks worker 0 at once; the returned primary's `started` says when all are ready. */
export function startPrimary(options: PrimaryOptions): Primary {
  if (!cluster.isPrimary) {
    throw new StartupError('--workers above 1 needs a primary process; this one is itself a cluster worker', { flag: '--workers' })
  }
  setAcceptPolicy(options.accept)
  const events = options.events ?? {}
  const exec = fileURLToPath(options.entry)
  const execArgv = processExecArgv(options.entry)
  const slots: Slot[] = []
  const requests = new Requests()
  const indexOf = (worker: Worker): number => slots.findIndex((s) => s.worker === worker)
  const heartbeat = new Heartbeat(options.heartbeatMs, (worker, silentMs) => {
    events.silent?.(indexOf(worker), worker, silentMs)
    worker.process.kill('SIGKILL')
  })
  let port = 0
  let processes = 1
  let started = false
  let shuttingDown = false
  let resolveClosed: () => void = () => {}
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve))

  const shutdown = (): void => {
    if (shuttingDown) return
    shuttingDown = true
    heartbeat.stop()
    events.draining?.()
    for (const slot of slots) if (!slot.worker.isDead()) slot.worker.process.kill('SIGTERM')
    if (slots.every((s) => s.worker.isDead())) resolveClosed()
    const killTimer = setTimeout(() => {
      for (const slot of slots) {
        if (!slot.worker.isDead()) {
          events.killedLate?.(slot.worker)
          slot.worker.process.kill('SIGKILL')
        }
      }
    }, options.graceMs + KILL_MARGIN_MS)
    killTimer.unref()
    void closed.then(() => clearTimeout(killTimer))
  }

  let onStarted: () => void = () => {}
  let onFailed: (err: FloodgateError) => void = () => {}
  const primary: Primary = {
    started: new Promise<void>((resolve, reject) => {
      onStarted = resolve
      onFailed = reject
    }),
    get port() {
      return port
    },
    get processes() {
      return processes
    },
    readyWorkers: () => slots.filter((s) => s.ready && !s.worker.isDead()).map((s) => s.worker),
    ask: (worker, message, timeoutMs) => {
      if (!worker.isConnected()) return Promise.resolve(undefined)
      return requests.ask((m) => worker.send(m), message, timeoutMs).then((answer) => answer?.value)
    },
    closed,
    shutdown
  }

  let ready = 0
  const failStartup = (err: FloodgateError): void => {
    if (started || shuttingDown) return
    shuttingDown = true
    heartbeat.stop()
    for (const slot of slots) slot.worker.process.kill('SIGKILL')
    onFailed(err)
  }

  const fork = (index: number, failures: number): void => {
    // A restart asks for the port as first given, even 0: node:cluster keys shared handles by the
    // requested address, so the new worker joins the live handle (asking for the bound port would not).
    cluster.setupPrimary({ exec, execArgv, args: [], silent: false })
    const worker = cluster.fork(options.env(index))
    const slot: Slot = { worker, startedAt: Date.now(), failures, ready: false }
    slots[index] = slot
    worker.on('message', (message: unknown) => {
      if (requests.settle(message)) return
      if (isMessage<ReadyMessage>(message, READY)) {
        port = message.port
        slot.ready = true
        heartbeat.watch(worker)
        events.ready?.(index, worker, message, started)
        if (started) return
        if (index === 0 && ready === 0) {
          processes = Math.max(1, options.workers(message))
          for (let i = 1; i < processes; i++) fork(i, 0)
        }
        if (++ready === processes) {
          started = true
          onStarted()
        }
      } else if (isMessage<FatalMessage>(message, FATAL)) {
        if (started) events.failedRestart?.(index, worker, message.message)
        else failStartup(rebuildError(message))
      } else if (isRequest(message) && options.onRequest) {
        reply((m) => worker.isConnected() && worker.send(m), message, options.onRequest(worker, message))
      }
    })
    worker.on('exit', (code, signal) => onExit(index, worker, code, signal))
  }

  const onExit = (index: number, worker: Worker, code: number | null, signal: string | null): void => {
    if (slots[index]?.worker !== worker) return
    heartbeat.forget(worker)
    events.gone?.(worker)
    if (shuttingDown) {
      if (slots.every((s) => s.worker.isDead())) resolveClosed()
      return
    }
    if (!started) {
      failStartup(new StartupError(`worker ${index} exited (${signal ?? `code ${code}`}) before it was ready; see its output above`))
      return
    }
    const slot = slots[index]!
    const livedMs = Date.now() - slot.startedAt
    const failures = livedMs >= HEALTHY_AFTER_MS ? 0 : slot.failures + 1
    const restartInMs = failures === 0 ? 0 : Math.min(RESTART_MAX_MS, RESTART_BASE_MS * 2 ** (failures - 1))
    events.exited?.(index, worker, { code, signal, livedMs, restartInMs })
    setTimeout(() => {
      if (!shuttingDown) fork(index, failures)
    }, restartInMs).unref()
  }

  fork(0, 0)
  return primary
}

let policyChosen = false

function setAcceptPolicy(accept: AcceptPolicy): void {
  // node:cluster reads the policy once, at the first setupPrimary() of the process.
  if (policyChosen) return
  policyChosen = true
  if (process.env.NODE_CLUSTER_SCHED_POLICY === undefined) cluster.schedulingPolicy = accept === 'shared' ? cluster.SCHED_NONE : cluster.SCHED_RR
}

function isRequest(message: unknown): message is Request {
  return typeof message === 'object' && message !== null && typeof (message as Request).type === 'string' && typeof (message as Request).id === 'number'
}

/** Errors cross the IPC channel as name + message; give the CLI back the class (and exit code) it had. */
function rebuildError(message: FatalMessage): FloodgateError {
  switch (message.name) {
    case 'FlowDefinitionError':
      return new FlowDefinitionError(message.message)
    case 'UsageError':
      return new UsageError(message.message)
    case 'ConfigError':
      return new ConfigError(message.message)
    default:
      return new StartupError(message.message)
  }
}
