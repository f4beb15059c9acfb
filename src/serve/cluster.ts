// The cluster primary of `floodgate serve --workers N`: forks N workers that share the listening socket
// (each accepts its own connections), restarts a worker that dies with a growing backoff, kills and
// replaces one whose event loop stops answering (heartbeat.ts), sums their metrics for /metrics
// (cluster-metrics.ts), and on SIGTERM/SIGINT asks every worker to drain, then exits 0.
// It loads no flow and serves no request itself, so a crash in user code never takes it down.
import cluster, { type Worker } from 'node:cluster'
import { fileURLToPath } from 'node:url'
import type { Logger } from 'pino'
import pino from 'pino'
import { ConfigError, FlowDefinitionError, StartupError, UsageError, messageOf, type FloodgateError } from '../errors.js'
import { siblingUrl } from '../tools/sibling.js'
import { FATAL, METRICS_REQ, METRICS_RES, OPTIONS_ENV, READY, isMessage, type FatalMessage, type MetricsRequest, type ReadyMessage } from './ipc.js'
import { ClusterMetrics } from './cluster-metrics.js'
import { Heartbeat } from './heartbeat.js'
import type { ResolvedServeOptions } from './options.js'

export interface ClusterHandle {
  url: string
  workers: number
  /** Worker processes forked: 1 when the first worker holds every worker's runs (a pool-bound flow). */
  processes: number
  /** Resolves when every worker has exited after a shutdown signal. */
  closed: Promise<void>
  /** Same as receiving SIGTERM. */
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

export function startCluster(options: ResolvedServeOptions, logger: Logger = primaryLogger(options.logLevel)): Promise<ClusterHandle> {
  // Workers accept from the shared socket themselves (SCHED_NONE). With node:cluster's default
  // round-robin the primary accepts every connection and hands it to a worker over IPC, one at a time
  // per worker, and a busy worker answers each handoff only between event-loop turns: 10,000
  // connections opening at once waited seconds in the primary (static_async, 10,000 connections:
  // p99 13.2 s with round-robin, 4.6 s without; the kernel spread them 4,972 / 5,028 over two workers).
  // A connection handed to a worker in the instant it was killed was also never answered; now it is
  // reset, or accepted by another worker. NODE_CLUSTER_SCHED_POLICY=rr restores round-robin.
  if (process.env.NODE_CLUSTER_SCHED_POLICY === undefined) cluster.schedulingPolicy = cluster.SCHED_NONE
  cluster.setupPrimary({ exec: fileURLToPath(siblingUrl('worker', import.meta.url)), execArgv: workerExecArgv(), silent: false })
  const env = { [OPTIONS_ENV]: JSON.stringify(options) }
  const slots: Slot[] = []
  const metrics = new ClusterMetrics(() => slots.filter((s) => s.ready && !s.worker.isDead()).map((s) => s.worker))
  const heartbeat = new Heartbeat(options.timeoutSeconds * 1000, (worker, silentMs) => {
    const index = slots.findIndex((s) => s.worker === worker)
    logger.error(
      { worker: index, workerPid: worker.process.pid, silentMs: Math.round(silentMs), timeoutSeconds: options.timeoutSeconds },
      "worker's event loop did not answer within --timeout (its 'event loop blocked' line names the node); killing the worker, a new one is started"
    )
    metrics.killed.inc({ reason: 'heartbeat' })
    worker.process.kill('SIGKILL')
  })
  let port = options.port
  let started = false
  let shuttingDown = false
  let resolveClosed: () => void = () => {}
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve))

  return new Promise<ClusterHandle>((resolve, reject) => {
    let ready = 0
    // Worker 0 starts alone: once it has loaded the flow it says whether it holds every worker's runs
    // (a flow whose every node is a sync tool; see server.ts), and only otherwise are the others forked.
    let expected = 1
    const failStartup = (err: FloodgateError): void => {
      if (started || shuttingDown) return
      shuttingDown = true
      heartbeat.stop()
      for (const slot of slots) slot.worker.process.kill('SIGKILL')
      reject(err)
    }

    const fork = (index: number, failures: number): void => {
      // A restart asks for the port as first given, even 0: node:cluster keys shared handles by the
      // requested address, so the new worker joins the live handle (asking for the bound port would not).
      const worker = cluster.fork(env)
      const slot: Slot = { worker, startedAt: Date.now(), failures, ready: false }
      slots[index] = slot
      metrics.attach(worker)
      worker.on('message', (message: unknown) => {
        if (isMessage<MetricsRequest>(message, METRICS_REQ)) {
          metrics.scrape().then(
            (text) => worker.isConnected() && worker.send({ type: METRICS_RES, id: message.id, text }),
            (err: unknown) => worker.isConnected() && worker.send({ type: METRICS_RES, id: message.id, error: messageOf(err) })
          )
        } else if (isMessage<ReadyMessage>(message, READY)) {
          port = message.port
          slot.ready = true
          heartbeat.watch(worker)
          // At start-up only the ready line is printed (at debug these say which pid is which worker);
          // a worker started again later is worth a line at info.
          const level = started ? 'info' : 'debug'
          logger[level]({ worker: index, workerPid: worker.process.pid, maxConcurrency: message.maxConcurrency, queue: message.queue, holds: message.holds }, 'worker ready')
          if (started) return
          if (index === 0 && ready === 0 && message.holds === 1 && options.workers > 1) {
            expected = options.workers
            for (let i = 1; i < options.workers; i++) fork(i, 0)
          }
          if (++ready === expected) {
            started = true
            resolve({ url: urlOf(options.host, port), workers: options.workers, processes: expected, closed, shutdown })
          }
        } else if (isMessage<FatalMessage>(message, FATAL)) {
          if (started) logger.error({ worker: index, workerPid: worker.process.pid, error: message.message }, 'restarted worker could not start')
          else failStartup(rebuildError(message))
        }
      })
      worker.on('exit', (code, signal) => onExit(index, worker, code, signal))
    }

    const onExit = (index: number, worker: Worker, code: number | null, signal: string | null): void => {
      if (slots[index]?.worker !== worker) return
      heartbeat.forget(worker)
      metrics.retire(worker)
      if (shuttingDown) {
        if (slots.every((s) => s.worker.isDead())) resolveClosed()
        return
      }
      if (!started) {
        failStartup(new StartupError(`worker ${index} exited (${signal ?? `code ${code}`}) before it was ready; see its output above`))
        return
      }
      const slot = slots[index]
      const lived = Date.now() - slot.startedAt
      const failures = lived >= HEALTHY_AFTER_MS ? 0 : slot.failures + 1
      const delay = failures === 0 ? 0 : Math.min(RESTART_MAX_MS, RESTART_BASE_MS * 2 ** (failures - 1))
      logger.error({ worker: index, workerPid: worker.process.pid, code, signal, livedMs: lived, restartInMs: delay }, 'worker exited unexpectedly; restarting it')
      metrics.restarts.inc()
      setTimeout(() => {
        if (!shuttingDown) fork(index, failures)
      }, delay).unref()
    }

    const shutdown = (): void => {
      if (shuttingDown) return
      shuttingDown = true
      heartbeat.stop()
      logger.info({ graceSeconds: options.graceSeconds }, 'shutting down: draining workers')
      for (const slot of slots) if (!slot.worker.isDead()) slot.worker.process.kill('SIGTERM')
      if (slots.every((s) => s.worker.isDead())) resolveClosed()
      const killTimer = setTimeout(() => {
        for (const slot of slots) {
          if (!slot.worker.isDead()) {
            logger.warn({ workerPid: slot.worker.process.pid }, 'worker did not drain within the grace period; killing it')
            slot.worker.process.kill('SIGKILL')
          }
        }
      }, options.graceSeconds * 1000 + KILL_MARGIN_MS)
      killTimer.unref()
      void closed.then(() => clearTimeout(killTimer))
    }

    fork(0, 0)
  })
}

/**
 * Workers inherit the primary's node flags (so `--import tsx` carries over from source), except an
 * inline script (`node -e ...`), which would run instead of the worker entry.
 */
function workerExecArgv(): string[] {
  const args: string[] = []
  for (let i = 0; i < process.execArgv.length; i++) {
    const arg = process.execArgv[i]
    if (EVAL_FLAGS.includes(arg)) i++
    else if (!EVAL_FLAGS.some((flag) => arg.startsWith(`${flag}=`))) args.push(arg)
  }
  return args
}

const EVAL_FLAGS = ['-e', '--eval', '-p', '--print']

function primaryLogger(level: string): Logger {
  // Synchronous: the primary logs rarely, and a restart notice must not be lost if it dies right after.
  return pino({ level, base: { pid: process.pid, role: 'primary' } }, pino.destination({ dest: 1, sync: true }))
}

function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`
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
