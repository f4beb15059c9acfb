// Prometheus metrics of one serving process (prom-client). Names are a contract: the bench scrapes them.
// Values that already live elsewhere (admission counts, pool stats, event-loop delay) are read at scrape
// time by `collect()`, and request counts and durations are plain numbers until a scrape reads them, so
// the request path does no label hashing and allocates nothing.
// In a cluster each worker keeps its own registry and the primary sums them (AggregatorRegistry); the
// `aggregator` of each gauge says how workers combine (sum of counts, mean of ratios, max of delays).
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client'
import type { CompiledFlow, RunTrace } from '../executor/types.js'
import type { Admission } from './admission.js'
import type { ConnectionStats } from './connections.js'
import { LabelledHistogram } from './histogram.js'
import type { RunTracer } from '../trace/index.js'

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.25, 1.5, 2, 3, 5, 10, 30, 60]

export class ServeMetrics {
  readonly registry = new Registry()
  private readonly duration: LabelledHistogram
  private readonly nodeDuration: LabelledHistogram
  private readonly firstChunk: LabelledHistogram
  private readonly loopDelay: IntervalHistogram
  // Requests answered, by route then status: plain counts on the hot path, handed to prom-client at
  // scrape time (its labelled inc() allocates and hashes labels on every call).
  private readonly requestCounts = new Map<string, Map<number, number>>()

  constructor(flow: CompiledFlow, admission: Admission, connections: ConnectionStats | null = null, tracer: RunTracer | null = null) {
    const registers = [this.registry]
    this.loopDelay = monitorEventLoopDelay({ resolution: 10 })
    this.loopDelay.enable()
    const loopDelay = this.loopDelay
    let rejectedSeen = 0

    const requestCounts = this.requestCounts
    new Counter({
      name: 'floodgate_http_requests_total',
      help: 'HTTP requests answered, by route and status',
      labelNames: ['route', 'status'],
      registers,
      collect() {
        this.reset()
        for (const [route, byStatus] of requestCounts) {
          for (const [status, count] of byStatus) this.inc({ route, status: String(status) }, count)
        }
      }
    })
    this.duration = new LabelledHistogram(
      'floodgate_http_request_duration_seconds',
      'Time from request received to response sent, by route',
      'route',
      DURATION_BUCKETS,
      this.registry
    )
    this.nodeDuration = new LabelledHistogram('floodgate_node_duration_seconds', 'Duration of each flow node run, by node', 'node', DURATION_BUCKETS, this.registry)
    this.firstChunk = new LabelledHistogram('floodgate_time_to_first_chunk_seconds',
      'Time from request received to the first chunk of a streamed output handed to the response (SSE), by route', 'route', DURATION_BUCKETS, this.registry)
    new Gauge({
      name: 'floodgate_runs_in_progress',
      help: 'Flow runs holding an admission slot',
      registers,
      aggregator: 'sum',
      collect() {
        this.set(admission.inFlight)
      }
    })
    new Gauge({
      name: 'floodgate_queue_depth',
      help: 'Requests waiting for an admission slot',
      registers,
      aggregator: 'sum',
      collect() {
        this.set(admission.queued)
      }
    })
    new Counter({
      name: 'floodgate_rejected_total',
      help: 'Requests refused with 503 because runs in progress and queue were full',
      registers,
      collect() {
        this.inc(admission.rejected - rejectedSeen)
        rejectedSeen = admission.rejected
      }
    })
    if (connections) this.connectionMetrics(connections)
    if (tracer) this.traceMetrics(tracer)
    const pool = (name: string, help: string, read: (s: ReturnType<CompiledFlow['poolStats']>) => number, aggregator: 'sum' | 'average') =>
      new Gauge({
        name,
        help,
        registers,
        aggregator,
        collect() {
          this.set(read(flow.poolStats()))
        }
      })
    pool('floodgate_pool_threads', 'Sync-tool pool threads', (s) => s.threads, 'sum')
    pool('floodgate_pool_running', 'Sync-tool tasks running on pool threads', (s) => s.running, 'sum')
    pool('floodgate_pool_queue', 'Sync-tool tasks waiting for a pool thread', (s) => s.queued, 'sum')
    pool('floodgate_pool_utilization', 'Fraction of pool thread time busy since start (0..1)', (s) => s.utilization, 'average')
    pool('floodgate_pool_threads_max', 'Most sync-tool pool threads: widest set of parallel sync nodes x run slots', (s) => s.maxThreads, 'sum')
    pool('floodgate_pool_run_slots', 'Runs with sync tools that may execute at once (--threads)', (s) => s.runSlots, 'sum')
    pool('floodgate_pool_runs', 'Runs holding a run slot', (s) => s.runs, 'sum')
    pool('floodgate_pool_runs_waiting', 'Runs waiting for a run slot', (s) => s.runsWaiting, 'sum')
    new Gauge({
      name: 'floodgate_event_loop_delay_seconds',
      help: 'p99 event-loop delay since the previous scrape',
      registers,
      aggregator: 'max',
      collect() {
        const p99 = loopDelay.count > 0 ? loopDelay.percentile(99) / 1e9 : 0
        loopDelay.reset()
        this.set(p99)
      }
    })
    collectDefaultMetrics({ register: this.registry })
  }

  private connectionMetrics(connections: ConnectionStats): void {
    const registers = [this.registry]
    new Gauge({
      name: 'floodgate_connections',
      help: 'Client connections open',
      registers,
      aggregator: 'sum',
      collect() {
        this.set(connections.open)
      }
    })
    const counter = (name: string, help: string, read: () => number) => {
      let seen = 0
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.inc(read() - seen)
          seen = read()
        }
      })
    }
    counter('floodgate_connections_refused_total', 'Connections refused with 503 at the --max-connections cap', () => connections.refused)
    counter('floodgate_connections_evicted_total', 'Connections waiting for a request, closed at the --max-connections cap to admit a new one', () => connections.evicted)
  }

  private traceMetrics(tracer: RunTracer): void {
    const seen = { exported: 0, failed: 0, dropped: 0, unsampled: 0 }
    new Counter({
      name: 'floodgate_trace_spans_total',
      help: 'Spans of exported traces (--trace), by outcome: exported (the collector took them), failed (an export failed or timed out: collector down or slow), dropped (not queued: the bound of spans waiting for export was reached), unsampled (the caller\'s traceparent or OTEL_TRACES_SAMPLER left the run out)',
      labelNames: ['outcome'],
      registers: [this.registry],
      collect() {
        const stats = tracer.stats()
        for (const outcome of ['exported', 'failed', 'dropped', 'unsampled'] as const) {
          this.inc({ outcome }, stats[outcome] - seen[outcome])
          seen[outcome] = stats[outcome]
        }
      }
    })
  }

  recordRequest(route: string, status: number, seconds: number): void {
    let byStatus = this.requestCounts.get(route)
    if (byStatus === undefined) {
      byStatus = new Map()
      this.requestCounts.set(route, byStatus)
    }
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1)
    this.duration.observe(route, seconds)
  }

  /** A streamed response's first chunk of its streaming output went out `seconds` after the request arrived. */
  recordFirstChunk(route: string, seconds: number): void {
    this.firstChunk.observe(route, seconds)
  }

  recordNodes(trace: RunTrace): void {
    for (const node of trace.nodes) {
      if (node.status !== 'bypassed') this.nodeDuration.observe(node.node, node.durationMs / 1000)
    }
  }

  close(): void {
    this.loopDelay.disable()
  }
}
