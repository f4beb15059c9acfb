// Shared by the tests that run `floodgate serve` as a child process: start it and read its URL from the
// ready line, wait for it to exit, stop it, and read its log.
import type { ChildProcess } from 'node:child_process'
import { spawnCli, waitForLine } from '../helpers/cli.js'

export const READY = /listening on (http:\/\/\S+) \(workers (\d+), threads (\d+)\)/

export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode })
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
}

export interface ServedCli {
  child: ChildProcess
  url: string
  /** Everything printed so far, stdout and stderr. */
  output: () => string
}

/** Starts `floodgate serve`, returns its URL and a way to read everything it printed. */
export async function serve(args: string[], env: Record<string, string> = {}, nodeFlags: string[] = []): Promise<ServedCli> {
  const child = spawnCli(['serve', ...args], { env, nodeFlags })
  let output = ''
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()))
  try {
    const m = await waitForLine(child, READY, 60_000)
    return { child, url: m[1], output: () => output }
  } catch (err) {
    // A server that never says it is ready is stopped here: left running, it would hold the test file
    // open until the test runner's own timeout instead of failing now.
    await stop(child)
    throw err
  }
}

export function stop(child: ChildProcess): Promise<unknown> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  return exited(child)
}

/** The pino JSON lines of a server's output (other lines skipped). */
export function logLines(output: string): Array<Record<string, unknown>> {
  const lines: Array<Record<string, unknown>> = []
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>)
    } catch {
      // a line still being written: read it on the next call
    }
  }
  return lines
}

export function workerPids(output: string): number[] {
  return logLines(output)
    .filter((l) => l.msg === 'worker ready')
    .map((l) => l.workerPid as number)
}
