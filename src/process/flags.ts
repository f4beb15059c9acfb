// Which Node flags a child inherits: one rule for every child process (cluster workers, load generators,
// the bench's `floodgate` commands) and every worker thread (pool threads, the watchdog, httpGetSync's
// helper).
//
// A child runs with this process's flags (`--import tsx` from source, `--heap-growing-percent`, ...)
// except the ones that belong to this process alone:
// - an inline script (`-e`, `--eval`, `-p`, `--print` and its text), which would run instead of the
//   child's entry;
// - the test runner's (`--test*`, `--experimental-test*`), the debugger's (`--inspect*`) and watch mode's
//   (`--watch*`): a child would run as a test, fight for the debug port, or restart on file changes.
// From source (an entry ending in .ts) the child also needs tsx. A child process gets `--import tsx`
// when the flags do not already carry it; a worker thread gets an `--import` that registers tsx's
// loader, since in Node 20 a thread does not inherit the `--import tsx` of its parent (tsx registers
// itself on the main thread only).
import { isSourceUrl } from './sibling.js'

const INLINE_SCRIPT = ['-e', '--eval', '-p', '--print']
const OWN = /^--(test|experimental-test|inspect|watch)/

/** This process's Node flags less those that belong to it alone. */
export function inheritedFlags(): string[] {
  const args: string[] = []
  const argv = process.execArgv
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (INLINE_SCRIPT.includes(arg)) i++
    else if (!INLINE_SCRIPT.some((flag) => arg.startsWith(`${flag}=`)) && !OWN.test(arg)) args.push(arg)
  }
  return args
}

/** execArgv of a child process whose entry is `entry`. */
export function processExecArgv(entry: URL): string[] {
  const args = inheritedFlags()
  if (isSourceUrl(entry.href) && !args.some((a) => a.includes('tsx'))) args.push('--import', 'tsx')
  return args
}

/** execArgv of a worker thread whose entry is `entry`. */
export function threadExecArgv(entry: URL): string[] {
  const args = inheritedFlags()
  if (!isSourceUrl(entry.href)) return args
  const api = import.meta.resolve('tsx/esm/api')
  const boot = `import { register } from ${JSON.stringify(api)}; register()`
  return [...args, '--import', `data:text/javascript,${encodeURIComponent(boot)}`]
}
