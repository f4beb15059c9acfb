// The one clock of run traces: epoch milliseconds with sub-millisecond precision. A run, its nodes on
// the pool's threads and its LLM calls are stamped on it, and an exported trace nests them exactly;
// Date.now() is whole milliseconds (a run could end before its own LLM call), and each thread's
// performance.now() alone counts from that thread's start.

/** Now, in epoch ms: performance.timeOrigin + performance.now(). */
export function epochNow(): number {
  return performance.timeOrigin + performance.now()
}
