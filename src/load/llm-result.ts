// The streaming (LLM) part of a LoadResult: what `floodgate load` measured of responses that were event
// streams (time to first token, gaps between tokens, tokens), and of every response (time to first
// byte). Part of the LoadResult contract (result.ts): add fields freely, never change a meaning.
import type { DistributionResult } from './distribution.js'

/** How responses are read as streams: auto (text/event-stream responses), sse or openai (every 2xx response), none. */
export type StreamMode = 'auto' | 'sse' | 'openai' | 'none'

export interface LlmResult {
  /** 2xx responses read as event streams, whether they then succeeded or not. */
  streamed: number
  /** Streams that succeeded: 2xx, at least one content event, no error event, not cut. */
  completed: number
  /** Completed requests that met every SLO (`slos`); 0 when there are none. */
  good: number
  /** The --slo expressions goodput was measured against, as given. */
  slos: string[]
  /** Completed requests whose output tokens came from the server's usage (else: their content events). */
  usageResponses: number
  /** Output tokens received: usage.completion_tokens of completed requests that sent it, content events otherwise (cut streams included). */
  outputTokens: number
  /** usage.prompt_tokens summed over the `inputResponses` completed requests that sent it. */
  inputTokens: number
  inputResponses: number
  /** Microseconds. ttfb: every response (headers received); ttft and itl: every content event received, cut streams included. */
  ttfb: DistributionResult
  ttft: DistributionResult
  itl: DistributionResult
  /** Microseconds, completed requests only: (e2el - ttft) / (tokens - 1) when tokens > 1; e2el to the last content event. */
  tpot: DistributionResult
  e2el: DistributionResult
  /** Completed requests: output tokens per request, and tokens / e2el in milli-tokens per second. */
  outputTokensPerRequest: DistributionResult
  requestTokensPerSec: DistributionResult
}

/** The streaming figures of one history second (HistoryPoint.llm). */
export interface HistoryLlm {
  /** Output tokens received in this second (content events as they arrive, corrected by usage at each completion). */
  tokens: number
  tokensPerSec: number
  /** Content events of this second, ms; null when none. */
  ttftP50: number | null
  ttftP95: number | null
  ttftP99: number | null
  itlP50: number | null
  itlP99: number | null
  /** The window's histograms (microseconds, encoded), so merged windows get exact percentiles. */
  ttftHistogram?: string
  itlHistogram?: string
}
