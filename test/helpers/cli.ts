// Spawns the floodgate CLI as a user would and collects its output.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))

/** Whether dist/ holds a build of every file of src/ as it is now. */
function builtIsCurrent(): boolean {
  const src = join(repoRoot, 'src')
  return readdirSync(src, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .every((entry) => {
      const file = join(entry.parentPath, entry.name)
      const built = join(repoRoot, 'dist', relative(src, file).replace(/\.ts$/, '.js'))
      return existsSync(built) && statSync(built).mtimeMs >= statSync(file).mtimeMs
    })
}

/**
 * Node's arguments that start `floodgate`: the built CLI when the build is current (`npm test` builds
 * first), as an installed floodgate runs; else the CLI from source through tsx, so that a test run needs
 * no build. The built one starts in about half the time, and so do the processes it starts.
 */
export const cliCommand: string[] = builtIsCurrent()
  ? [join(repoRoot, 'bin/floodgate.js')]
  // tsx by URL, so that a command run from another folder (a flow folder outside the repository) finds it.
  : ['--import', import.meta.resolve('tsx'), fileURLToPath(new URL('./cli-entry.ts', import.meta.url))]

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Starts `floodgate <args>` and returns the child; the caller must stop it. */
export function spawnCli(args: string[], options: SpawnOptions & { nodeFlags?: string[] } = {}): ChildProcess {
  const { nodeFlags = [], ...spawnOptions } = options
  return spawn(process.execPath, [...nodeFlags, ...cliCommand, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...spawnOptions,
    env: { ...process.env, ...(options.env ?? {}) }
  })
}

/** Runs `floodgate <args>` to completion (killed after timeoutMs) and returns its exit and output. */
export function runCli(args: string[], options: SpawnOptions & { timeoutMs?: number; nodeFlags?: string[] } = {}): Promise<CliResult> {
  const child = spawnCli(args, options)
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
}

/** Resolves with the first stdout line matching `pattern` (e.g. the "ready" line), or rejects on exit. */
export function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let buffered = ''
    let errText = ''
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; stdout: ${buffered} stderr: ${errText}`)), timeoutMs)
    const onErr = (d: Buffer) => (errText += d.toString())
    const onData = (d: Buffer) => {
      buffered += d.toString()
      const m = buffered.match(pattern)
      if (m) {
        clearTimeout(timer)
        child.stdout?.off('data', onData)
        child.stderr?.off('data', onErr)
        resolve(m)
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onErr)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`process exited with ${code} before printing ${pattern}; stdout: ${buffered} stderr: ${errText}`))
    })
  })
}

/**
 * Checks each case of a table, `limit` at a time: a case is mostly a CLI process starting, so four share
 * the two cores better than one after another. Throws the first failure in the table's order, once every
 * case has finished (no process is left running past the test).
 */
export async function eachCase<T>(cases: readonly T[], check: (c: T) => Promise<void>, limit = 4): Promise<void> {
  const failures = new Map<number, unknown>()
  let next = 0
  const lane = async (): Promise<void> => {
    for (let i = next++; i < cases.length; i = next++) await check(cases[i]!).catch((err: unknown) => failures.set(i, err))
  }
  await Promise.all(Array.from({ length: limit }, lane))
  if (failures.size) throw failures.get(Math.min(...failures.keys()))
}
