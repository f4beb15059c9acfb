// The load options for streams and LLM servers: how responses are read (--stream), requests built for
// an OpenAI-compatible server (--openai, --model, --prompts, --prompt-words, --max-tokens), goodput's
// SLOs (--slo), the open loop's arrival process (--arrival, --burstiness, --seed) and the drain after
// the run time (--drain). Each bad value is a UsageError naming its flag.
import { UsageError } from '../errors.js'
import { parseCount } from './parse.js'
import { parseSlo, type Slo } from './slo.js'
import { chatCompletionsUrl, OPENAI_HEADERS, type OpenAiRequestOptions } from './openai.js'
import { DEFAULT_PROMPT_WORDS, readPrompts, syntheticPrompts, type ChatPrompt } from './prompts.js'
import type { ArrivalKind, ArrivalSpec } from './arrival-schedule.js'
import type { LoadConfig, StreamMode } from './result.js'

export interface OpenAiOptions {
  /** The server's OpenAI base URL, e.g. http://127.0.0.1:8000/v1. */
  baseUrl: string
  model?: string
  /** A JSONL file of prompts; else `promptWords` synthetic words (default 32). */
  prompts?: string
  promptWords?: number
  maxTokens?: number
}

export interface StreamingOptions {
  /** Default auto (text/event-stream responses); openai with `openai`. */
  stream?: StreamMode
  openai?: OpenAiOptions
  /** --slo expressions, e.g. "ttft<500". */
  slo?: string[]
  /** Open loop only. */
  arrival?: ArrivalKind
  burstiness?: number
  /** Seed of random arrivals and synthetic prompts (default 42). */
  seed?: number
  /** Seconds requests in flight may take to finish after the run time (default 2). */
  drainSec?: number
}

export interface StreamingPlan {
  stream: StreamMode
  slos: Slo[]
  arrival: ArrivalSpec
  /** --openai: the prompts and what every request asks for. */
  prompts?: ChatPrompt[]
  openai?: OpenAiRequestOptions
  drainMs: number
}

export const STREAM_MODES: readonly StreamMode[] = ['auto', 'sse', 'openai', 'none']
export const DEFAULT_SEED = 42
export const DEFAULT_DRAIN_SEC = 2

export function parseStreamMode(text: string): StreamMode {
  if (!STREAM_MODES.includes(text as StreamMode)) {
    throw new UsageError(`invalid --stream "${text}": expected ${STREAM_MODES.join(', ')}`, { flag: '--stream' })
  }
  return text as StreamMode
}

export function parseArrival(text: string): ArrivalKind {
  if (text !== 'constant' && text !== 'poisson') {
    throw new UsageError(`invalid --arrival "${text}": expected constant (n / rate) or poisson (random arrivals; see --burstiness)`, { flag: '--arrival' })
  }
  return text
}

export function parseBurstiness(text: string | number): number {
  const n = typeof text === 'number' ? text : /^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) : NaN
  if (!(n > 0) || !Number.isFinite(n)) {
    throw new UsageError(`invalid --burstiness "${text}": expected a number > 0 (1 = Poisson arrivals, below 1 burstier, above 1 more regular)`, { flag: '--burstiness' })
  }
  return n
}

/** The request an --openai run sends: its URL and headers (the user's --header values win). */
export function openAiTarget(o: OpenAiOptions, headers: Record<string, string>): { url: string; headers: Record<string, string> } {
  if (!o.model) {
    throw new UsageError('--openai needs --model: the name of the model the server serves (its GET /v1/models lists them), e.g. --model meta-llama/Llama-3.1-8B-Instruct', { flag: '--model' })
  }
  const merged = { ...OPENAI_HEADERS }
  for (const [k, v] of Object.entries(headers)) {
    for (const known of Object.keys(merged)) if (known === k.toLowerCase()) delete merged[known]
    merged[k] = v
  }
  return { url: chatCompletionsUrl(o.baseUrl), headers: merged }
}

function promptsOf(o: OpenAiOptions, seed: number): { prompts: ChatPrompt[]; label: string } {
  if (o.prompts !== undefined && o.promptWords !== undefined) {
    throw new UsageError('--prompts and --prompt-words cannot be used together: prompts come from the file or are synthetic', { flag: '--prompt-words' })
  }
  if (o.prompts !== undefined) {
    const prompts = readPrompts(o.prompts)
    return { prompts, label: `${o.prompts} (${prompts.length} prompts)` }
  }
  const words = o.promptWords ?? DEFAULT_PROMPT_WORDS
  return { prompts: syntheticPrompts(words, seed), label: `${words} synthetic words` }
}

/** Validates the streaming options and records them in `config`; `open` says whether --rate was given. */
export function resolveStreaming(o: StreamingOptions, open: boolean, config: LoadConfig): StreamingPlan {
  const seed = o.seed ?? DEFAULT_SEED
  if (!Number.isSafeInteger(seed)) throw new UsageError(`invalid --seed "${o.seed}": expected a whole number`, { flag: '--seed' })
  const stream = o.stream === undefined ? (o.openai ? 'openai' : 'auto') : parseStreamMode(o.stream)
  const slos = (o.slo ?? []).map(parseSlo)
  if ((o.arrival !== undefined || o.burstiness !== undefined) && !open) {
    const flag = o.arrival !== undefined ? '--arrival' : '--burstiness'
    throw new UsageError(`${flag} needs --rate: it shapes the open loop's arrivals`, { flag })
  }
  const burstiness = o.burstiness === undefined ? 1 : parseBurstiness(o.burstiness)
  const kind = o.arrival === undefined ? (o.burstiness === undefined ? 'constant' : 'poisson') : parseArrival(o.arrival)
  if (kind === 'constant' && o.burstiness !== undefined) {
    throw new UsageError('--burstiness shapes random arrivals: use it with --arrival poisson, not constant', { flag: '--burstiness' })
  }
  const drainSec = o.drainSec ?? DEFAULT_DRAIN_SEC
  if (!(drainSec >= 0) || !Number.isFinite(drainSec)) throw new UsageError(`invalid --drain "${o.drainSec}": expected seconds >= 0`, { flag: '--drain' })
  const plan: StreamingPlan = { stream, slos, arrival: { kind, burstiness, seed }, drainMs: drainSec * 1000 }
  config.stream = stream
  if (slos.length) config.slo = slos.map((s) => s.text)
  if (open) {
    config.arrival = kind
    if (kind === 'poisson') {
      config.burstiness = burstiness
      config.seed = seed
    }
  }
  if (drainSec !== DEFAULT_DRAIN_SEC) config.drainSec = drainSec
  if (o.openai) {
    const { prompts, label } = promptsOf(o.openai, seed)
    if (o.openai.maxTokens !== undefined) parseCount(o.openai.maxTokens, '--max-tokens')
    plan.prompts = prompts
    plan.openai = { model: o.openai.model!, ...(o.openai.maxTokens !== undefined ? { maxTokens: o.openai.maxTokens } : {}) }
    config.openai = { model: o.openai.model!, prompts: label, ...(o.openai.maxTokens !== undefined ? { maxTokens: o.openai.maxTokens } : {}) }
  }
  return plan
}
