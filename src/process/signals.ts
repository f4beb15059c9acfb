// SIGINT (Ctrl-C) and SIGTERM (docker stop, kill, a supervisor) for every long-running command, and the
// one rule for their exit codes:
// - a command whose work a signal cuts short (`load`, `bench`: their results cover only what ran) writes
//   what it measured and exits 128 + the signal's number, as a shell reports a process the signal ended:
//   130 for SIGINT, 143 for SIGTERM;
// - a server (`serve`, `mock`) has no work to cut short: a stop signal is how it is meant to end. It
//   drains and exits 0, as gunicorn and pf serve do and as Docker and Kubernetes expect of a clean stop.

export type StopSignal = 'SIGINT' | 'SIGTERM'

const STOP_SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM']

/**
 * Calls `onStop` on the first SIGINT or SIGTERM and ignores any later one until the returned function
 * removes the listeners: a second Ctrl-C must not kill a command that is writing its results.
 */
export function onStopSignal(onStop: (signal: StopSignal) => void): () => void {
  let stopped = false
  const listener = (signal: StopSignal): void => {
    if (stopped) return
    stopped = true
    onStop(signal)
  }
  for (const signal of STOP_SIGNALS) process.on(signal, listener)
  return () => {
    for (const signal of STOP_SIGNALS) process.off(signal, listener)
  }
}

/**
 * Resolves with the first SIGINT or SIGTERM, and stops listening: a second signal meanwhile (a second
 * Ctrl-C while a server drains) ends the process at once, as Node does by default.
 */
export function untilStopSignal(): Promise<StopSignal> {
  return new Promise((resolve) => {
    const remove = onStopSignal((signal) => {
      remove()
      resolve(signal)
    })
  })
}

/** The exit code of a command a signal cut short: 130 for SIGINT, 143 for SIGTERM. */
export function interruptedExitCode(signal: StopSignal): number {
  return signal === 'SIGINT' ? 130 : 143
}
