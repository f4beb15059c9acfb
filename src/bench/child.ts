// Child processes of a bench run: started with a ready line to wait for, stopped with SIGTERM then
// SIGKILL (their whole process tree, so a cluster's workers never outlive the run).
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { StartupError } from '../errors.js'
import { processExecArgv, siblingUrl } from '../process/index.js'
import { descendantsOf, readProc } from './procfs.js'

export interface StartOptions {
  env?: Record<string, string>
  /** Called with each complete stdout line. */
  onLine?: (line: string) => void
}

export interface ChildExit { code: number | null; signal: NodeJS.Signals | null }

/**
 * How to start another `floodgate` process: this Node binary with the flags a child inherits, and the
 * CLI's entry (src/cli/entry.ts, or its build), so the children behave exactly as a user's commands do.
 */
function floodgateCommand(): { command: string; args: string[] } {
  const entry = siblingUrl('../cli/entry', import.meta.url)
  return { command: process.execPath, args: [...processExecArgv(entry), fileURLToPath(entry)] }
}

/** The tail of a child's stderr kept for error messages. */
const STDERR_TAIL = 4000

export class BenchChild {
  readonly proc: ChildProcess
  readonly exited: Promise<ChildExit>
  private stderr = ''
  private done = false

  constructor(readonly name: string, readonly args: string[], options: StartOptions = {}) {
    const { command, args: prefix } = floodgateCommand()
    this.proc = spawn(command, [...prefix, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env }
    })
    this.exited = new Promise((resolve) => {
      this.proc.once('exit', (code, signal) => {
        this.done = true
        resolve({ code, signal })
      })
      // A failed spawn (no node binary?) emits error and no exit.
      this.proc.once('error', (err) => {
        this.done = true
        this.stderr += String(err)
        resolve({ code: null, signal: null })
      })
    })
    this.proc.stderr!.setEncoding('utf8').on('data', (d: string) => {
      this.stderr = (this.stderr + d).slice(-STDERR_TAIL)
    })
    let partial = ''
    this.proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
      partial += d
      let nl: number
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, nl)
        partial = partial.slice(nl + 1)
        options.onLine?.(line)
      }
    })
  }

  get pid(): number {
    return this.proc.pid ?? -1
  }

  get running(): boolean {
    return !this.done
  }

  stderrTail(): string {
    return this.stderr.trim()
  }

  /** Resolves with the first capture group of the first stdout line matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      let partial = ''
      const onData = (d: string) => {
        partial += d
        const m = pattern.exec(partial)
        if (m) finish(() => resolve(m[1] ?? m[0]))
      }
      const timer = setTimeout(() => finish(() => reject(new StartupError(
        `${this.name}: not ready after ${Math.round(timeoutMs / 1000)} s (floodgate ${this.args.join(' ')})${this.tail()}`))), timeoutMs)
      const onExit = ({ code, signal }: ChildExit) => finish(() => reject(new StartupError(
        `${this.name}: exited with ${signal ?? `code ${code}`} before it was ready (floodgate ${this.args.join(' ')})${this.tail()}`)))
      const finish = (then: () => void) => {
        clearTimeout(timer)
        this.proc.stdout!.off('data', onData)
        then()
      }
      this.proc.stdout!.on('data', onData)
      void this.exited.then(onExit)
    })
  }

  private tail(): string {
    const t = this.stderrTail()
    return t ? `: ${t.split('\n').slice(-5).join(' | ')}` : ''
  }

  /** SIGTERM (or `signal`), then after `graceMs` SIGKILL to the child and every process it had started. */
  async stop(graceMs: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<ChildExit> {
    if (this.done) return this.exited
    // Remember the tree now: once the parent is gone its children are re-parented and lost to view.
    const tree = descendantsOf(this.pid).map((pid) => ({ pid, start: readProc(pid)?.startTicks }))
    this.proc.kill(signal)
    const timer = new Promise<'late'>((resolve) => setTimeout(resolve, graceMs, 'late').unref())
    if ((await Promise.race([this.exited, timer])) === 'late') this.proc.kill('SIGKILL')
    const exit = await this.exited
    for (const { pid, start } of tree) {
      const now = readProc(pid)
      // Same pid and same start time: still our process, not a recycled pid.
      if (now && now.startTicks === start) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {
          // Gone between the read and the kill.
        }
      }
    }
    return exit
  }
}

/** Every child of a bench run, so a failure or Ctrl-C can stop them all. */
export class ChildGroup {
  private readonly children = new Set<BenchChild>()

  start(name: string, args: string[], options?: StartOptions): BenchChild {
    const child = new BenchChild(name, args, options)
    this.children.add(child)
    void child.exited.then(() => this.children.delete(child))
    return child
  }

  /** Stops every child still running, the most recently started first. */
  async stopAll(graceMs: number): Promise<void> {
    for (const child of [...this.children].reverse()) await child.stop(graceMs)
  }
}
