// Every second: CPU and RSS of each process of a variant (the trees below the processes it started),
// the machine's CPU, and the target's /metrics. Runs on timers; each tick reads a few small /proc files.
import { availableParallelism } from 'node:os'
import { fetchText } from '../tool-runtime/index.js'
import { BENCH_DATA_VERSION, type MetricsSample, type ProcessRole, type ProcessSeries, type VariantSamples, type MachineSample } from '../report/bench/data.js'
import { descendantsOf, readMachineTicks, readProc, type MachineTicks } from './procfs.js'
import { metricsSample, parsePrometheus, type Series } from './prometheus.js'

export interface SampledRoot {
  pid: number
  role: ProcessRole
  service: string
}

/** The target's /metrics, parsed; null on any failure (a missed scrape is a gap, not an error). */
export async function scrapeMetrics(metricsUrl: string): Promise<Map<string, Series[]> | null> {
  const data = await fetchText(metricsUrl, 2000).catch(() => null)
  return data !== null && data.status === 200 ? parsePrometheus(data.body) : null
}

export class Sampler {
  private readonly roots: SampledRoot[] = []
  private readonly series = new Map<string, ProcessSeries>()
  private readonly metrics: MetricsSample[] = []
  private readonly machine: MachineSample[] = []
  private lastMachine: MachineTicks | null = null
  private timer: NodeJS.Timeout | null = null
  private scraping = false

  constructor(private readonly metricsUrl: string | null, private readonly intervalMs = 1000) {}

  /** Starts sampling a process tree, with a first sample now (the baseline of its CPU time). */
  add(root: SampledRoot): void {
    this.roots.push(root)
    if (this.timer) this.sampleProcess(root, root.pid, true, Date.now() / 1000)
  }

  start(): void {
    this.sample()
    this.timer = setInterval(() => this.sample(), this.intervalMs)
  }

  /** Takes one last sample (the end of the load window) and returns everything sampled. */
  async stop(): Promise<VariantSamples> {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    this.sample()
    await this.scrape(Date.now() / 1000)
    return {
      version: BENCH_DATA_VERSION,
      intervalSec: this.intervalMs / 1000,
      cores: availableParallelism(),
      processes: [...this.series.values()],
      metrics: this.metrics,
      machine: this.machine,
      nodeTimings: []
    }
  }

  private sample(): void {
    const t = Date.now() / 1000
    for (const root of this.roots) {
      const pids = [root.pid, ...descendantsOf(root.pid)]
      for (const pid of pids) this.sampleProcess(root, pid, pid === root.pid, t)
    }
    const ticks = readMachineTicks()
    if (ticks && this.lastMachine && ticks.total > this.lastMachine.total) {
      const busy = (ticks.busy - this.lastMachine.busy) / (ticks.total - this.lastMachine.total)
      this.machine.push({ t, busyPercent: busy * 100 })
    }
    this.lastMachine = ticks
    // A slow /metrics must not stack scrapes up: skip a tick while one is running.
    if (!this.scraping) void this.scrape(t)
  }

  private sampleProcess(root: SampledRoot, pid: number, isRoot: boolean, t: number): void {
    const info = readProc(pid)
    if (!info) return
    const key = `${pid}:${info.startTicks}`
    let series = this.series.get(key)
    if (!series) {
      const label = root.role === 'generator'
        ? (isRoot ? 'generator' : `generator ${pid}`)
        : (isRoot ? root.service : `${root.service} worker ${pid}`)
      series = { role: root.role, service: root.service, label, pid, samples: [] }
      this.series.set(key, series)
    }
    const prev = series.samples.at(-1)
    const cpuPercent = prev && t > prev.t ? ((info.cpuMs - prev.cpuMs) / 1000 / (t - prev.t)) * 100 : 0
    series.samples.push({ t, cpuMs: info.cpuMs, cpuPercent: Math.max(0, cpuPercent), rssBytes: info.rssBytes })
  }

  private async scrape(t: number): Promise<void> {
    if (!this.metricsUrl) return
    this.scraping = true
    try {
      const parsed = await scrapeMetrics(this.metricsUrl)
      if (parsed) this.metrics.push(metricsSample(parsed, t))
    } finally {
      this.scraping = false
    }
  }
}
