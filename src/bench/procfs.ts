// Reads CPU time and memory of processes from Linux's /proc. Elsewhere every reader returns null or
// nothing, and the bench reports that it could not sample instead of inventing figures.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'

export const HAS_PROCFS = existsSync('/proc/self/stat')

function clockTicks(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim())
    return n > 0 ? n : 100
  } catch {
    return 100
  }
}

/** Kernel clock ticks per second, the unit of /proc/<pid>/stat's CPU times. */
export const CLK_TCK = HAS_PROCFS ? clockTicks() : 100

export interface ProcInfo {
  pid: number
  ppid: number
  /** user + system CPU since the process started, ms. */
  cpuMs: number
  /** Start time in ticks since boot: with the pid, identifies the process even if the pid is reused. */
  startTicks: number
  rssBytes: number
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

/** A process's CPU and RSS, or null when it is gone (or this is not Linux). */
export function readProc(pid: number): ProcInfo | null {
  const stat = read(`/proc/${pid}/stat`)
  if (!stat) return null
  // The command name (field 2) may hold spaces and parentheses: split after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  const status = read(`/proc/${pid}/status`) ?? ''
  const rssKb = /VmRSS:\s+(\d+)\s+kB/.exec(status)
  return {
    pid,
    ppid: Number(fields[1]),
    cpuMs: ((utime + stime) * 1000) / CLK_TCK,
    startTicks: Number(fields[19]),
    rssBytes: rssKb ? Number(rssKb[1]) * 1024 : 0
  }
}

/** Direct children of a process (threads' children lists, or a scan of /proc for the parent id). */
export function childrenOf(pid: number): number[] {
  const out = new Set<number>()
  let tasks: string[] = []
  try {
    tasks = readdirSync(`/proc/${pid}/task`)
  } catch {
    return []
  }
  let listed = false
  for (const task of tasks) {
    const text = read(`/proc/${pid}/task/${task}/children`)
    if (text === null) continue
    listed = true
    for (const p of text.trim().split(/\s+/)) if (p) out.add(Number(p))
  }
  if (!listed) {
    for (const entry of readdirSync('/proc')) {
      if (/^\d+$/.test(entry) && readProc(Number(entry))?.ppid === pid) out.add(Number(entry))
    }
  }
  return [...out]
}

/** Every process below `pid`, children before grandchildren. */
export function descendantsOf(pid: number): number[] {
  const out: number[] = []
  const queue = childrenOf(pid)
  while (queue.length) {
    const next = queue.shift()!
    out.push(next)
    queue.push(...childrenOf(next))
  }
  return out
}

export interface MachineTicks { busy: number; total: number }

/** Whole-machine CPU ticks from /proc/stat's first line (idle and iowait count as not busy). */
export function readMachineTicks(): MachineTicks | null {
  const text = read('/proc/stat')
  const line = text?.split('\n')[0]
  if (!line?.startsWith('cpu ')) return null
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number)
  const total = v.reduce((a, b) => a + b, 0)
  return { busy: total - v[3]! - v[4]!, total }
}
