// Sleeps for tools: a blocking one for sync tools (it holds the pool thread, like Python's time.sleep)
// and an abortable async one for async tools.
import { setTimeout as delay } from 'node:timers/promises'

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
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  checkMs('sleep', ms)
  try {
    await delay(ms, undefined, signal ? { signal } : undefined)
  } catch (err) {
    // timers/promises wraps the reason in an AbortError; callers want the reason itself (a timeout, ...).
    throw signal?.aborted ? signal.reason : err
  }
}
