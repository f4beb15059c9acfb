// `floodgate serve`: one process for --workers 1, else a cluster primary and N workers. Prints the ready
// line, then runs until SIGTERM/SIGINT, drains, and resolves (the CLI then exits 0: a server's stop is
// its normal end, src/process/signals.ts).
//
// Why --workers 1 runs in-process rather than primary + one worker: the primary would add a process
// (~40 MB), an IPC hop per metrics scrape and a connection hand-off per accepted socket, for the sole
// benefit of restarting a crashed worker, which the deployment's supervisor (Docker, systemd, k8s)
// does anyway for a single-process server.
//
// Each path imports only what it runs: the cluster primary holds no fastify, flow loader or pool code
// (about 12 MiB of its RSS), the one-process server no cluster code.
import { untilStopSignal } from '../process/index.js'
import { resolveServeOptions, type ServeOptions } from './options.js'

export interface ServeIo {
  /** Where the ready line goes (stdout). */
  write(line: string): void
}

const stdoutIo: ServeIo = { write: (line) => process.stdout.write(line) }

export async function serveCommand(options: ServeOptions, io: ServeIo = stdoutIo): Promise<void> {
  const resolved = resolveServeOptions(options)
  if (resolved.workers === 1) {
    const { startServer } = await import('./server.js')
    const server = await startServer(resolved)
    const { guardProcess } = await import('./tool-faults.js')
    const { startWatchdog, watchdogReportAfterMs } = await import('./watchdog.js')
    let onUnknownState = (): void => {}
    const unknownState = new Promise<'unknown state'>((resolve) => (onUnknownState = () => resolve('unknown state')))
    const unguard = guardProcess(server.flow.name, server.logger, onUnknownState)
    const watchdog = server.logger.isLevelEnabled('warn') ? startWatchdog(server.flow.name, watchdogReportAfterMs(resolved.timeoutSeconds), server.logger) : undefined
    io.write(readyLine(server.url, 1, resolved.threads, 1))
    const why = await Promise.race([untilStopSignal(), unknownState])
    await server.close()
    unguard()
    watchdog?.stop()
    // Not a clean stop: a supervisor restarts a process that exits non-zero.
    if (why === 'unknown state') process.exitCode = 1
    return
  }
  const { startCluster } = await import('./cluster.js')
  const handle = await startCluster(resolved)
  io.write(readyLine(handle.url, handle.workers, resolved.threads, handle.processes))
  await untilStopSignal()
  handle.shutdown()
  await handle.closed
}

export function readyLine(url: string, workers: number, threads: number, processes: number): string {
  const oneProcess = processes === 1 && workers > 1
    ? `; one process holds the ${workers * threads} runs, as every node of this flow is a sync tool`
    : ''
  return `floodgate serve: listening on ${url} (workers ${workers}, threads ${threads})${oneProcess}\n`
}
