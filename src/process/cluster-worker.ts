// The worker side of cluster.ts, for a worker entry (src/serve/worker.ts, src/mock/worker.ts): say it is
// ready or why it could not start, answer the heartbeat and the primary's requests, ask the primary, and
// drain when told to.
import { exitCodeOf, messageOf } from '../errors.js'
import { FATAL, PING, PONG, READY, Requests, isMessage, reply, type FatalMessage, type Ping, type ReadyMessage, type Request } from './messages.js'

function send(message: object): void {
  if (process.connected) process.send?.(message)
}

const requests = new Requests()
let listening = false

function listen(): void {
  if (listening) return
  listening = true
  process.on('message', (message: unknown) => {
    if (requests.settle(message)) return
    // Answered from the event loop: a late answer is the primary's sign that something blocks it.
    if (isMessage<Ping>(message, PING)) send({ type: PONG })
  })
}

/** Tells the primary this worker listens on `port` (and what else it should know, e.g. `holds`). */
export function reportReady(details: Omit<ReadyMessage, 'type'>): void {
  listen()
  send({ ...details, type: READY })
}

/** Tells the primary why this worker could not start, then exits with the error's exit code. */
export function failStartup(err: unknown): void {
  const exitCode = exitCodeOf(err) || 1
  const fatal: FatalMessage = { type: FATAL, name: err instanceof Error ? err.name : 'Error', message: messageOf(err), exitCode }
  // Exit once the message is out (a disconnect alone would make node:cluster exit this worker with 0).
  if (process.connected && process.send) process.send(fatal, () => process.exit(exitCode))
  else process.exit(exitCode)
}

/** Answers the primary's requests of `type` with what `answer` returns. */
export function answerPrimary(type: string, answer: (request: Request) => unknown): void {
  process.on('message', (message: unknown) => {
    if (isMessage<Request>(message, type)) reply(send, message, Promise.resolve().then(() => answer(message)))
  })
}

/** Asks the primary; resolves with its reply, or undefined when none came within `timeoutMs`. */
export function askPrimary(message: { type: string; [field: string]: unknown }, timeoutMs: number): ReturnType<Requests['ask']> {
  listen()
  return requests.ask(send, message, timeoutMs)
}

/**
 * Calls `drain` when the primary asks this worker to stop (SIGTERM) or goes away (the IPC channel closes).
 * SIGINT is left to the primary: Ctrl-C reaches the whole process group, and the primary decides.
 */
export function drainOnStop(drain: () => void): void {
  let draining = false
  const once = (): void => {
    if (draining) return
    draining = true
    drain()
  }
  process.on('SIGINT', () => undefined)
  process.once('SIGTERM', once)
  process.once('disconnect', once)
}
