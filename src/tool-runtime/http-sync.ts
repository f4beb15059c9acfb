// A GET that blocks the calling thread until the answer is in, as Python's `requests.get` does, for sync
// tools (they run on a pool thread, so blocking it is the point: it reproduces the study's sync variant).
// The I/O is done elsewhere while the caller sleeps in Atomics.wait: in a Floodgate pool thread, by the
// pool's main thread (its event loop is free, and the pool needs no extra thread per pool thread);
// in any other thread, by a helper worker of its own.
import { MessageChannel, Worker, isMainThread, parentPort, receiveMessageOnPort, type MessagePort } from 'node:worker_threads'
import { UpstreamError } from '../errors.js'
import { DEFAULT_TIMEOUT_MS, checkTimeout, toResponse, type HttpGetOptions, type HttpResponse } from './response.js'
import { siblingUrl, threadExecArgv } from '../process/index.js'
import { HTTP_CHANNEL, type HttpAnswer, type HttpChannelMessage, type HttpJob } from './http-serve.js'

interface Helper { port: MessagePort; signal: Int32Array }

// Atomics.waitAsync is in Node 20 but in TypeScript's ES2024 lib, beyond this project's ES2023.
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number, timeoutMs: number): { value: Promise<string> | string }
}).waitAsync

// The helper answers a request it gave up on later; this margin lets its own timeout answer first.
const BACKSTOP_MS = 2_000
const START_TIMEOUT_MS = 30_000
let helper: Helper | undefined
let nextId = 0

/** Set by the pool thread (src/executor/pool-worker.ts) before it loads tools. */
export const POOL_THREAD = Symbol.for('floodgate.poolThread')

function startHelper(): Helper {
  const { port1, port2 } = new MessageChannel()
  const signal = new Int32Array(new SharedArrayBuffer(4))
  if (parentPort && (globalThis as Record<symbol, unknown>)[POOL_THREAD] === true) {
    const message: HttpChannelMessage = { type: HTTP_CHANNEL, port: port2, signal }
    parentPort.postMessage(message, [port2])
    port1.unref()
    return { port: port1, signal }
  }
  const entry = siblingUrl('http-worker', import.meta.url)
  const worker = new Worker(entry, {
    execArgv: threadExecArgv(entry),
    workerData: { port: port2, signal },
    transferList: [port2]
  })
  // The helper must never keep a finished process alive.
  worker.unref()
  port1.unref()
  worker.on('error', () => {
    helper = undefined
  })
  return { port: port1, signal }
}

/**
 * Starts this pool thread's helper and resolves once it is up, so the first httpGetSync does not pay for
 * a thread start. Await it at the top of a sync tool module (`await prepareHttpGetSync()`): pool threads
 * import tool modules when they start. On the main thread, where Floodgate only inspects the module, it
 * does nothing. The wait is asynchronous: a thread blocked in Atomics.wait slows its new worker's start.
 */
export async function prepareHttpGetSync(): Promise<void> {
  if (isMainThread || helper) return
  const h = (helper = startHelper())
  const deadline = Date.now() + START_TIMEOUT_MS
  // A pending Atomics.waitAsync does not keep a thread's event loop alive, and the port is unref'd: without
  // this timer a thread whose helper answers late ends its top-level await unsettled (exit code 13).
  const alive = setInterval(() => {}, START_TIMEOUT_MS)
  try {
    for (;;) {
      const seen = Atomics.load(h.signal, 0)
      const entry = receiveMessageOnPort(h.port)
      if (entry !== undefined) return // id 0: the helper is up
      const left = deadline - Date.now()
      if (left <= 0) throw new UpstreamError(`httpGetSync: helper thread did not start within ${START_TIMEOUT_MS} ms`)
      await waitAsync(h.signal, 0, seen, left).value
    }
  } finally {
    clearInterval(alive)
  }
}

function waitForAnswer(h: Helper, id: number, url: string, timeoutMs: number): HttpAnswer {
  const deadline = Date.now() + timeoutMs + BACKSTOP_MS
  for (;;) {
    // Read the counter before polling the port: an answer posted after the poll bumps it, so the wait
    // below returns at once instead of sleeping through it.
    const seen = Atomics.load(h.signal, 0)
    let entry = receiveMessageOnPort(h.port)
    while (entry !== undefined) {
      const answer = entry.message as HttpAnswer
      if (answer.id === id) return answer
      entry = receiveMessageOnPort(h.port) // a late answer to an earlier, abandoned request
    }
    const left = deadline - Date.now()
    if (left <= 0) throw new UpstreamError(`GET ${url}: no response within ${timeoutMs} ms`, { url })
    Atomics.wait(h.signal, 0, seen, left)
  }
}

/** Blocking GET. Does not throw on HTTP error statuses (check `status`); throws UpstreamError otherwise. */
export function httpGetSync(url: string, options: HttpGetOptions = {}): HttpResponse {
  const timeoutMs = checkTimeout('httpGetSync', options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
  helper ??= startHelper()
  const id = ++nextId
  const job: HttpJob = { id, url, timeoutMs, headers: options.headers }
  helper.port.postMessage(job)
  const answer = waitForAnswer(helper, id, url, timeoutMs)
  if (!answer.ok) throw new UpstreamError(answer.message, { url })
  return toResponse(url, answer)
}
