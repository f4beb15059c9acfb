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
// A worker thread gets no V8 flag (`--max-semi-space-size`, `--heap-growing-percent`, ...): V8's flags
// are process-wide, so the thread already runs with them, and `new Worker` refuses them in execArgv
// (ERR_WORKER_INVALID_EXEC_ARGV), which stopped `node --heap-growing-percent=100 ... serve` at start-up.
// A flag is V8's when Node lists it among its documented V8 options, or when Node does not know it at
// all (Node hands every flag it does not know to V8); Node's profilers, accepted on the command line
// only, are Node's.
// Nor does a thread get Node's per-process options (`--title`, `--use-openssl-ca`, `--icu-data-dir`,
// `--cpu-prof-dir`, ...), which `new Worker` refuses as well: `node --use-openssl-ca floodgate run` of a
// flow with a sync tool crashed at its pool's start. Node publishes no list of them, so each flag not
// known to be a thread's is tried once on a thread stopped at once (a refused flag throws before any
// thread starts; an accepted one costs about a millisecond), and the answer is kept.
import { Worker } from 'node:worker_threads'
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

// `node --help`, "V8 options": the V8 flags that Node also lists as its own.
const V8_OPTIONS = new Set([
  '--abort-on-uncaught-exception', '--disallow-code-generation-from-strings', '--enable-etw-stack-walking', '--expose-gc',
  '--harmony-shadow-realm', '--huge-max-old-generation-size', '--interpreted-frames-native-stack', '--jitless',
  '--max-old-space-size', '--max-semi-space-size', '--perf-basic-prof', '--perf-basic-prof-only-functions', '--perf-prof',
  '--perf-prof-unwinding-info', '--stack-trace-limit'
])
const NODE_COMMAND_LINE_ONLY = /^--(cpu-prof|heap-prof)/

function isV8Flag(arg: string): boolean {
  const name = arg.split('=')[0]!.replace(/_/g, '-')
  if (V8_OPTIONS.has(name)) return true
  return !NODE_COMMAND_LINE_ONLY.test(name) && !process.allowedNodeEnvironmentFlags.has(name)
}

// Flags a thread takes, which need no trial: the loaders that make a thread run our code from source.
const THREAD_FLAGS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader', '--conditions', '-C', '--enable-source-maps'])
const threadAccepts = new Map<string, boolean>()

/** Whether `new Worker` takes this flag (with its value, if separate) in execArgv. */
function acceptedByThreads(flag: string[]): boolean {
  if (THREAD_FLAGS.has(flag[0]!.split('=')[0]!)) return true
  const key = flag.join(' ')
  let accepted = threadAccepts.get(key)
  if (accepted === undefined) {
    try {
      const trial = new Worker('', { eval: true, execArgv: flag })
      // Taken: what the thread does with it is not this trial's concern (a real thread reports its own).
      trial.on('error', () => {})
      trial.unref()
      void trial.terminate()
      accepted = true
    } catch (err) {
      if ((err as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw err
      accepted = false
    }
    threadAccepts.set(key, accepted)
  }
  return accepted
}

/** Node's flags of this process for a worker thread: those inherited, less V8's and the per-process ones (with their values). */
function threadFlags(): string[] {
  // An argument that is not a flag is the value of the flag before it (`--import tsx`).
  const groups: string[][] = []
  for (const arg of inheritedFlags()) {
    if (arg.startsWith('-') || groups.length === 0) groups.push([arg])
    else groups[groups.length - 1]!.push(arg)
  }
  return groups.filter((flag) => !isV8Flag(flag[0]!) && acceptedByThreads(flag)).flat()
}

/** execArgv of a child process whose entry is `entry`. */
export function processExecArgv(entry: URL): string[] {
  const args = inheritedFlags()
  if (isSourceUrl(entry.href) && !args.some((a) => a.includes('tsx'))) args.push('--import', 'tsx')
  return args
}

/** execArgv of a worker thread whose entry is `entry`. */
export function threadExecArgv(entry: URL): string[] {
  const args = threadFlags()
  if (!isSourceUrl(entry.href)) return args
  const api = import.meta.resolve('tsx/esm/api')
  const boot = `import { register } from ${JSON.stringify(api)}; register()`
  return [...args, '--import', `data:text/javascript,${encodeURIComponent(boot)}`]
}
