// Records what the stream readers measure: time to first byte of every response, time to first token
// and the gaps between tokens as content events arrive (cut streams included: a user saw those tokens),
// and at each completion the request's end-to-end latency, TPOT, tokens, tokens/s and goodput. Also the
// per-second window of TTFT, ITL and tokens. Microseconds throughout; the hot path allocates nothing.
import { Distribution } from './distribution.js'
import { encodeHistogram, newHistogram, percentileMs } from './histogram.js'
import { meetsSlos, type RequestTiming, type Slo } from './slo.js'
import type { HistoryLlm, LlmResult } from './llm-result.js'

/** What a stream reader hands over when its request finishes. */
export interface FinishedStream {
  startedAt: number
  firstAt: number
  lastAt: number
  contentEvents: number
  maxGapMs: number
  /** usage.completion_tokens and usage.prompt_tokens, or -1 when not sent. */
  usageTokens: number
  promptTokens: number
}

export class LlmRecorder {
  readonly ttfb = new Distribution()
  readonly ttft = new Distribution()
  readonly itl = new Distribution()
  readonly tpot = new Distribution()
  readonly e2el = new Distribution()
  readonly outputTokensPerRequest = new Distribution()
  readonly requestTokensPerSec = new Distribution()
  streamed = 0
  completed = 0
  good = 0
  usageResponses = 0
  outputTokens = 0
  inputTokens = 0
  inputResponses = 0
  private readonly windowTtft = newHistogram()
  private readonly windowItl = newHistogram()
  private windowTokens = 0
  /** Set by the first content event or stream: from then on every history second carries LLM figures. */
  private active = false
  private readonly timing: RequestTiming = { ttftUs: 0, maxGapUs: 0, tpotUs: 0, e2eUs: 0 }

  constructor(readonly slos: readonly Slo[] = []) {}

  /** A response's headers arrived `ms` after the request was sent (or was due). */
  firstByte(ms: number): void {
    this.ttfb.record(ms * 1000)
  }

  /** The first content event of a stream, `ms` after its request. */
  firstToken(ms: number): void {
    const us = ms * 1000
    this.ttft.record(us)
    this.windowTtft.recordValue(us > 0 ? Math.round(us) : 0)
    this.token()
  }

  /** A further content event, `ms` after the previous one. */
  nextToken(ms: number): void {
    const us = ms * 1000
    this.itl.record(us)
    this.windowItl.recordValue(us > 0 ? Math.round(us) : 0)
    this.token()
  }

  private token(): void {
    this.active = true
    this.outputTokens++
    this.windowTokens++
  }

  /** A measured stream ended: `ok` when it succeeded (2xx, content, no error event, not cut). */
  finish(s: FinishedStream, ok: boolean): void {
    this.active = true
    this.streamed++
    if (!ok) return
    this.completed++
    let tokens = s.contentEvents
    if (s.usageTokens >= 0) {
      this.usageResponses++
      tokens = s.usageTokens
      // Events were counted as they came; the server's count replaces them (a chunk may carry several tokens).
      this.outputTokens += tokens - s.contentEvents
      this.windowTokens += tokens - s.contentEvents
    }
    if (s.promptTokens >= 0) {
      this.inputTokens += s.promptTokens
      this.inputResponses++
    }
    const t = this.timing
    t.ttftUs = (s.firstAt - s.startedAt) * 1000
    t.e2eUs = (s.lastAt - s.startedAt) * 1000
    t.maxGapUs = s.maxGapMs * 1000
    t.tpotUs = tokens > 1 ? (t.e2eUs - t.ttftUs) / (tokens - 1) : 0
    this.e2el.record(t.e2eUs)
    if (tokens > 1) this.tpot.record(t.tpotUs)
    this.outputTokensPerRequest.record(tokens)
    if (t.e2eUs > 0) this.requestTokensPerSec.record((tokens / t.e2eUs) * 1e9)
    if (this.slos.length > 0 && meetsSlos(this.slos, t)) this.good++
  }

  /** Ends the current second: its figures (undefined before any stream), and a fresh window. */
  closeWindow(windowSec: number): HistoryLlm | undefined {
    if (!this.active) return undefined
    const point: HistoryLlm = {
      tokens: this.windowTokens,
      tokensPerSec: this.windowTokens / (windowSec > 0 ? windowSec : 1),
      ttftP50: percentileMs(this.windowTtft, 50),
      ttftP95: percentileMs(this.windowTtft, 95),
      ttftP99: percentileMs(this.windowTtft, 99),
      itlP50: percentileMs(this.windowItl, 50),
      itlP99: percentileMs(this.windowItl, 99)
    }
    if (this.windowTtft.totalCount > 0) point.ttftHistogram = encodeHistogram(this.windowTtft)
    if (this.windowItl.totalCount > 0) point.itlHistogram = encodeHistogram(this.windowItl)
    this.windowTtft.reset()
    this.windowItl.reset()
    this.windowTokens = 0
    return point
  }

  toResult(): LlmResult {
    return {
      streamed: this.streamed,
      completed: this.completed,
      good: this.good,
      slos: this.slos.map((s) => s.text),
      usageResponses: this.usageResponses,
      outputTokens: this.outputTokens,
      inputTokens: this.inputTokens,
      inputResponses: this.inputResponses,
      ttfb: this.ttfb.toResult(),
      ttft: this.ttft.toResult(),
      itl: this.itl.toResult(),
      tpot: this.tpot.toResult(),
      e2el: this.e2el.toResult(),
      outputTokensPerRequest: this.outputTokensPerRequest.toResult(),
      requestTokensPerSec: this.requestTokensPerSec.toResult()
    }
  }
}
