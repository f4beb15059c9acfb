// The generator's own CPU and memory, sampled once a second, so a user can tell when the generator
// (not the server) is the limit. Locust warns above 90% CPU; so do we, once it lasts two samples
// (one busy second, e.g. start-up compilation, is not saturation).
import type { GeneratorStats } from './result.js'

export const CPU_WARN_PERCENT = 90

export class GeneratorSampler {
  private last = process.cpuUsage()
  private lastAt = performance.now()
  private sum = 0
  private cpuUs = 0
  private samples = 0
  private max = 0
  private rssMax = process.memoryUsage.rss()
  private above = 0
  saturated = false

  /** Samples CPU since the previous call; returns it with RSS, and whether the warning starts now. */
  sample(): { cpuPercent: number; rssBytes: number; warn: boolean } {
    const now = performance.now()
    const usage = process.cpuUsage(this.last)
    this.last = process.cpuUsage()
    this.cpuUs += usage.user + usage.system
    const elapsedMs = now - this.lastAt
    this.lastAt = now
    const cpuPercent = elapsedMs > 0 ? ((usage.user + usage.system) / 1000 / elapsedMs) * 100 : 0
    const rssBytes = process.memoryUsage.rss()
    if (rssBytes > this.rssMax) this.rssMax = rssBytes
    this.sum += cpuPercent
    this.samples++
    if (cpuPercent > this.max) this.max = cpuPercent
    this.above = cpuPercent > CPU_WARN_PERCENT ? this.above + 1 : 0
    const warn = this.above === 2 && !this.saturated
    if (this.above >= 2) this.saturated = true
    return { cpuPercent, rssBytes, warn }
  }

  stats(): GeneratorStats {
    return {
      processes: 1,
      cpuPercentAvg: this.samples ? this.sum / this.samples : 0,
      cpuPercentMax: this.max,
      rssMaxBytes: this.rssMax,
      saturated: this.saturated,
      cpuSec: this.cpuUs / 1e6
    }
  }
}

export const CPU_WARNING =
  'WARNING: generator CPU usage above 90%! This may constrain your throughput and may even give ' +
  'inconsistent response time measurements. Use --processes to spread the load over more cores.'
