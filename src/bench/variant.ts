// One variant of a bench: start its services, warm up, run `floodgate load` in its own process while
// sampling every process and /metrics each second, then stop everything and save the files.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { messageOf, StartupError } from '../errors.js'
import type { LoadResult } from '../load/result.js'
import { BENCH_DATA_VERSION, type VariantMeta, type VariantRecord } from '../report/bench/data.js'
import { variantFiles, writeJson } from '../report/index.js'
import { ChildGroup } from './child.js'
import type { VariantPlan } from './plan.js'
import { scrapeMetrics, Sampler } from './sampler.js'
import { startService, type RunningService } from './services.js'
import { requestSpec, warmUp, waitHealthy } from './warmup.js'
import { nodeTimings } from './prometheus.js'

/** One line of `floodgate load --progress jsonl`. */
export interface LoadProgress {
  t: number
  elapsedSec: number
  totalSec: number
  users: number
  rps: number
  p50: number | null
  p95: number | null
  failures: number
  requests: number
  /** Streams only: this second's median time to first token (ms) and output tokens/s. */
  ttftP50?: number | null
  tokensPerSec?: number
}

export interface VariantContext {
  outDir: string
  /** Aborted on Ctrl-C: the load stops (its results are kept) and the variant is marked interrupted. */
  signal: AbortSignal
  onProgress?: (variant: string, progress: LoadProgress) => void
  /** Seconds a stopped process gets before SIGKILL. */
  graceMs?: number
}

const DEFAULT_GRACE_MS = 5000

export function loadArgs(plan: VariantPlan, url: string, files: ReturnType<typeof variantFiles>): string[] {
  const spec = requestSpec(plan.load)
  const args = [
    'load', url, '--method', spec.method,
    '--users', String(plan.load.users), '--spawn-rate', String(plan.load.spawnRate),
    '--run-time', `${plan.load.runTimeSec}s`, '--wait', plan.load.wait, '--timeout', String(plan.load.timeoutSec),
    '--json', files.result, '--csv', files.csvPrefix, '--progress', 'jsonl'
  ]
  if (spec.body !== undefined) args.push('--body', spec.body)
  for (const slo of plan.load.slo ?? []) args.push('--slo', slo)
  if (plan.load.drainSec !== undefined) args.push('--drain', `${plan.load.drainSec}s`)
  for (const [k, v] of Object.entries(spec.headers)) args.push('--header', `${k}: ${v}`)
  return args
}

function baseMeta(plan: VariantPlan): VariantMeta {
  const target = plan.services.at(-1)!
  const meta: VariantMeta = {
    version: BENCH_DATA_VERSION, name: plan.name, kind: plan.kind, target: plan.target, url: '', services: [],
    load: {
      users: plan.load.users, spawnRate: plan.load.spawnRate, runTimeSec: plan.load.runTimeSec,
      wait: plan.load.wait, method: plan.load.method, path: plan.load.path
    },
    warmupMs: [], status: 'ok', startedAt: Date.now(), endedAt: 0
  }
  if (plan.serviceTimeSec !== undefined) meta.declaredServiceTimeSec = plan.serviceTimeSec
  if (target.type === 'serve') {
    const o = target.options
    if (typeof o.workers === 'number') meta.workers = o.workers
    if (typeof o.threads === 'number') meta.threads = o.threads
    if (typeof o.max_concurrency === 'number') meta.maxConcurrency = o.max_concurrency
  }
  return meta
}

async function runLoad(plan: VariantPlan, url: string, ctx: VariantContext, group: ChildGroup, sampler: Sampler): Promise<LoadResult> {
  const files = variantFiles(ctx.outDir, plan.name)
  const load = group.start(`${plan.name}: load`, loadArgs(plan, url, files), {
    onLine: (line) => {
      if (!line.startsWith('{')) return
      try {
        ctx.onProgress?.(plan.name, JSON.parse(line) as LoadProgress)
      } catch {
        // Not a progress line.
      }
    }
  })
  sampler.add({ pid: load.pid, role: 'generator', service: 'generator' })
  // The run time plus the generator's timeout and its own 2 s drain, with room for a slow start.
  const deadlineMs = (plan.load.runTimeSec + plan.load.timeoutSec + 60) * 1000
  const late = setTimeout(() => void load.stop(ctx.graceMs ?? DEFAULT_GRACE_MS), deadlineMs)
  late.unref()
  const exit = await load.exited
  clearTimeout(late)
  if (!existsSync(files.result)) {
    throw new StartupError(`${plan.name}: the load generator exited with ${exit.signal ?? `code ${exit.code}`} and wrote no result` +
      `${load.stderrTail() ? `: ${load.stderrTail().split('\n').slice(-5).join(' | ')}` : ''}`)
  }
  return JSON.parse(readFileSync(files.result, 'utf8')) as LoadResult
}

/** Runs one variant to the end; never throws: a failure is recorded in the returned meta. */
export async function runVariant(plan: VariantPlan, ctx: VariantContext): Promise<VariantRecord> {
  const files = variantFiles(ctx.outDir, plan.name)
  mkdirSync(files.dir, { recursive: true })
  // A result left by an earlier run in the same folder must not pass for this one's.
  rmSync(files.result, { force: true })
  const meta = baseMeta(plan)
  const record: VariantRecord = { meta }
  const running = new Map<string, RunningService>()
  const group = new ChildGroup()
  const grace = ctx.graceMs ?? DEFAULT_GRACE_MS
  // Ctrl-C: stop the load first (it writes what it measured), then the services.
  const onAbort = () => void group.stopAll(grace)
  ctx.signal.addEventListener('abort', onAbort, { once: true })
  let sampler: Sampler | null = null
  try {
    for (const service of plan.services) {
      if (ctx.signal.aborted) throw new StartupError(`${plan.name}: interrupted`)
      running.set(service.name, await startService(plan.name, service, running, group, ctx.signal))
    }
    meta.services = [...running.values()].map((r) => r.info)
    const target = running.get(plan.target)!
    meta.url = target.info.url + plan.load.path
    if (target.info.type === 'url') await waitHealthy(`${plan.name}: target`, `${target.info.url}/health`, 30_000, ctx.signal, true)
    const metricsUrl = target.info.type === 'serve' ? `${target.info.url}/metrics` : null
    sampler = new Sampler(metricsUrl)
    for (const r of running.values()) {
      if (r.child) sampler.add({ pid: r.child.pid, role: r.info.name === plan.target ? 'server' : 'service', service: r.info.name })
    }
    sampler.start()
    meta.warmupMs = await warmUp(plan.name, meta.url, requestSpec(plan.load), plan.load.warmup, plan.load.timeoutSec)
    const timings = metricsUrl ? await scrapeMetrics(metricsUrl) : null
    if (ctx.signal.aborted) throw new StartupError(`${plan.name}: interrupted`)
    record.result = await runLoad(plan, meta.url, ctx, group, sampler)
    record.samples = await sampler.stop()
    sampler = null
    record.samples.nodeTimings = timings ? nodeTimings(timings) : []
    if (record.result.interrupted || ctx.signal.aborted) meta.status = 'interrupted'
  } catch (err) {
    meta.status = ctx.signal.aborted ? 'interrupted' : 'failed'
    meta.error = messageOf(err)
    if (sampler) record.samples = await sampler.stop()
  } finally {
    // Stop the target first so it stops calling its dependencies, then the rest.
    ctx.signal.removeEventListener('abort', onAbort)
    for (const r of [...running.values()].reverse()) await r.child?.stop(grace)
    await group.stopAll(grace)
    meta.endedAt = Date.now()
    writeJson(files.meta, meta)
    if (record.samples) writeJson(files.samples, record.samples)
  }
  return record
}
