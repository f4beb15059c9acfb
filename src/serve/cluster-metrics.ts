// /metrics of a cluster, in the primary: the sum of every worker's registry, plus the primary's own
// counts of workers. It answers within a budget whatever the workers do: a worker starting up is not
// asked, and one that does not answer within METRICS_BUDGET_MS is left out of that scrape and named in a
// comment (and in floodgate_scrape_workers_missing). Counters never go backwards, which Prometheus would
// read as a reset: a late worker's counters and histograms are taken from its last answer, and those of
// a worker that exited are kept by the primary and added to every later scrape.
import type { Worker } from 'node:cluster'
import { AggregatorRegistry, Counter, Gauge, Registry } from 'prom-client'
import type { MetricsJson } from './messages.js'

/** How long a scrape waits for the workers' answers. */
export const METRICS_BUDGET_MS = 1000

export class ClusterMetrics {
  private readonly own = new Registry()
  // Each worker's last answer, and the cumulative series of workers that have exited.
  private readonly last = new Map<Worker, MetricsJson>()
  private retired: MetricsJson[] = []
  // Read by the floodgate_scrape_workers_missing gauge.
  private readonly lastScrape = { missing: 0 }
  readonly restarts: Counter
  readonly killed: Counter<'reason'>

  /** `ask`: a worker's registry as JSON, or undefined when it does not answer within METRICS_BUDGET_MS. */
  constructor(private readonly readyWorkers: () => Worker[], private readonly ask: (worker: Worker) => Promise<MetricsJson | undefined>) {
    const registers = [this.own]
    const lastScrape = this.lastScrape
    new Gauge({
      name: 'floodgate_workers',
      help: 'Worker processes ready to serve',
      registers,
      collect() {
        this.set(readyWorkers().length)
      }
    })
    new Gauge({
      name: 'floodgate_scrape_workers_missing',
      help: 'Workers that did not answer this scrape within its budget: their gauges are left out, their counters are from their last answer',
      registers,
      collect() {
        this.set(lastScrape.missing)
      }
    })
    this.restarts = new Counter({ name: 'floodgate_worker_restarts_total', help: 'Workers that exited unexpectedly and were started again', registers })
    this.killed = new Counter({
      name: 'floodgate_workers_killed_total',
      help: 'Workers killed by the primary; reason "heartbeat": the event loop did not answer within --timeout',
      labelNames: ['reason'],
      registers
    })
    this.killed.inc({ reason: 'heartbeat' }, 0)
  }

  /** A worker exited: what it had counted stays in the sums. */
  retire(worker: Worker): void {
    const last = this.last.get(worker)
    this.last.delete(worker)
    if (last) this.retired.push(cumulative(last))
  }

  async scrape(): Promise<string> {
    const workers = this.readyWorkers()
    const answers = await Promise.all(workers.map((w) => this.ask(w)))
    const parts: MetricsJson[] = []
    const notes: string[] = []
    answers.forEach((answer, i) => {
      const worker = workers[i]
      if (answer !== undefined) {
        this.last.set(worker, answer)
        parts.push(answer)
        return
      }
      notes.push(`# floodgate: worker pid ${worker.process.pid} did not answer within ${METRICS_BUDGET_MS} ms: its gauges are left out of this scrape, its counters are from its last answer`)
      const last = this.last.get(worker)
      if (last) parts.push(cumulative(last))
    })
    this.lastScrape.missing = notes.length
    if (this.retired.length > 1) this.retired = [await AggregatorRegistry.aggregate(this.retired).getMetricsAsJSON()]
    parts.push(...this.retired, await this.own.getMetricsAsJSON())
    const text = await AggregatorRegistry.aggregate(parts).metrics()
    return notes.length ? `${notes.join('\n')}\n${text}` : text
  }

  get contentType(): string {
    return this.own.contentType
  }
}

/** The series that only grow: counters and histograms. */
function cumulative(metrics: MetricsJson): MetricsJson {
  // prom-client types `type` as a numeric enum; the JSON holds its Prometheus name.
  return metrics.filter((m) => CUMULATIVE.includes(m.type as unknown as string))
}

const CUMULATIVE = ['counter', 'histogram']
