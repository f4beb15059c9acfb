// Sleeps for tools: a blocking one for sync tools (it holds the pool thread, like Python's time.sleep)
// and an abortable async one for async tools.
import { MAX_TIMER_MS, MAX_TIMER_MS_TEXT } from '../timer-limit.js'
import { unwatchAbort, watchAbort } from './abort.js'

const cell = new Int32Array(new SharedArrayBuffer(4))

function checkMs(fn: string, ms: number): void {
  if (typeof ms !== 'number' || !(ms >= 0) || ms === Infinity) {
    throw new TypeError(`${fn}: ms must be a non-negative number of milliseconds, got ${String(ms)}`)
  }
}

/** Blocks the calling thread for `ms` milliseconds (Atomics.wait). Use only in sync tools. */
export function sleepSync(ms: number): void {
  checkMs('sleepSync', ms)
  if (ms > 0) Atomics.wait(cell, 0, 0, ms)
}

/** Resolves after `ms` milliseconds; rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    checkMs('sleep', ms)
    // Atomics.wait holds any wait; a timer fires one longer than this after 1 ms.
    if (ms > MAX_TIMER_MS) throw new RangeError(`sleep: ms must be at most ${MAX_TIMER_MS_TEXT}, got ${ms}`)
  } catch (err) {
    return Promise.reject(err)
  }
  if (signal?.aborted) return Promise.reject(signal.reason)
  return new Promise((resolve, reject) => {
    if (signal) new Sleeper(ms, signal, resolve, reject)
    else setTimeout(resolve, ms)
  })
}

// timers/promises' setTimeout with a signal allocates a bound listener, an options object and a
// finally() chain per call, and wraps the reason in an AbortError; a served flow sleeps several times
// per request (the study's nodes stand in for LLM calls this way). One object is the timer's argument
// and the signal's watcher (handleEvent, see abort.ts) at once.
class Sleeper {
  private readonly timer: NodeJS.Timeout

  constructor(
    ms: number,
    private readonly signal: AbortSignal,
    private readonly resolve: () => void,
    private readonly reject: (reason: unknown) => void
  ) {
    this.timer = setTimeout(wake, ms, this)
    watchAbort(signal, this)
  }

  /** The signal aborted first. */
  handleEvent(): void {
    clearTimeout(this.timer)
    this.reject(this.signal.reason)
  }

  wake(): void {
    unwatchAbort(this.signal, this)
    this.resolve()
  }
}

function wake(sleeper: Sleeper): void {
  sleeper.wake()
}
