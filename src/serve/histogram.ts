// A Prometheus histogram with one label, cheap enough to observe on every request and every node run.
// prom-client's Histogram allocates a label object, validates and hashes labels on each observe(); here a
// labelled series is looked up once by its label value and observing is a bucket search and two adds.
// It implements the metric shape prom-client's Registry reads (`get()`), so it is scraped, and summed
// across cluster workers by AggregatorRegistry, like any prom-client metric.
import type { Registry } from 'prom-client'

// The metric shape prom-client's Registry reads; its own typings do not export it.
interface Value {
  metricName: string
  labels: Record<string, string | number>
  value: number
}
interface Snapshot {
  name: string
  help: string
  type: 'histogram'
  aggregator: 'sum'
  values: Value[]
}

interface Series {
  counts: Float64Array
  sum: number
  count: number
}

export class LabelledHistogram {
  readonly type = 'histogram' as const
  readonly aggregator = 'sum' as const
  private readonly series = new Map<string, Series>()

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly label: string,
    private readonly bounds: readonly number[],
    registry: Registry
  ) {
    // The Registry only calls get() and reads name/type/help/aggregator; its typings want a prom-client class.
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0])
  }

  observe(labelValue: string, value: number): void {
    let series = this.series.get(labelValue)
    if (series === undefined) {
      series = { counts: new Float64Array(this.bounds.length), sum: 0, count: 0 }
      this.series.set(labelValue, series)
    }
    const bounds = this.bounds
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]) {
        series.counts[i]++
        break
      }
    }
    series.sum += value
    series.count++
  }

  get(): Snapshot {
    const values: Value[] = []
    for (const [labelValue, series] of this.series) {
      // Prometheus buckets are cumulative; we count per bucket and add up at scrape time.
      let cumulative = 0
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += series.counts[i]
        values.push({ metricName: `${this.name}_bucket`, labels: { le: this.bounds[i], [this.label]: labelValue }, value: cumulative })
      }
      values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf', [this.label]: labelValue }, value: series.count })
      values.push({ metricName: `${this.name}_sum`, labels: { [this.label]: labelValue }, value: series.sum })
      values.push({ metricName: `${this.name}_count`, labels: { [this.label]: labelValue }, value: series.count })
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator }
  }

  reset(): void {
    this.series.clear()
  }
}
