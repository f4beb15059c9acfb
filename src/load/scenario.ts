// --scenario: multi-step users written as `export default async (user) => { ... }`. Requests made
// through `user` are recorded like the single-request loop's; a scenario that throws is recorded as an
// exception (message and stack) and the user starts its loop again after a short pause.
import { pathToFileURL } from 'node:url'
import { resolve } from 'node:path'
import { Client, type Dispatcher } from 'undici'
import { ConfigError } from '../errors.js'
import { MAX_TIMER_SECONDS } from '../timer-limit.js'
import { MeasuredRequest, clientOptions } from './measured-request.js'
import { chatBody } from './openai.js'
import type { ChatMessage } from './prompts.js'
import { waitSeconds } from './wait.js'
import { UserDriver } from './spawner.js'
import type { Driver, RunContext } from './context.js'

export interface ScenarioRequestOptions {
  /** Sent as JSON with content-type application/json. */
  json?: unknown
  body?: string | Buffer
  headers?: Record<string, string>
  /** Locust's name= : groups requests in the tables (default: the path). */
  name?: string
}

export interface ScenarioResponse {
  /** 0 when no response came (refused, reset, timeout...). */
  status: number
  ok: boolean
  bytes: number
  /** Locust-like error text when the request failed. */
  error?: string
  /** The reply's text, when the response was an OpenAI event stream (its content deltas joined). */
  content?: string
  text(): string
  json(): unknown
}

export interface ScenarioChatOptions {
  /** Locust's name= (default: the path). */
  name?: string
  /** This request's max_tokens (default: --max-tokens). */
  maxTokens?: number
}

export interface ScenarioUser {
  readonly id: number
  request(method: string, path: string, options?: ScenarioRequestOptions): Promise<ScenarioResponse>
  get(path: string, options?: ScenarioRequestOptions): Promise<ScenarioResponse>
  post(path: string, options?: ScenarioRequestOptions): Promise<ScenarioResponse>
  put(path: string, options?: ScenarioRequestOptions): Promise<ScenarioResponse>
  patch(path: string, options?: ScenarioRequestOptions): Promise<ScenarioResponse>
  delete(path: string, options?: ScenarioRequestOptions): Promise<ScenarioResponse>
  /**
   * With `floodgate load --openai`: one streaming chat completion, of the next prompt of --prompts /
   * --prompt-words, or of the given text or messages (a conversation the scenario keeps).
   */
  chat(input?: string | ChatMessage[], options?: ScenarioChatOptions): Promise<ScenarioResponse>
  /** Waits, but returns early when the run stops. */
  sleep(seconds: number): Promise<void>
}

export type ScenarioFunction = (user: ScenarioUser) => Promise<void> | void

/** Pause after a scenario throws, before the user's loop starts again. */
export const EXCEPTION_PAUSE_SEC = 0.5

/** Thrown into a scenario that makes a request after the run stopped; ends that user quietly. */
class RunStopped extends Error {}

export async function loadScenario(file: string): Promise<ScenarioFunction> {
  const url = pathToFileURL(resolve(file)).href
  let mod: { default?: unknown }
  try {
    if (/\.[mc]?ts$/.test(file)) {
      // tsx is a dependency: TypeScript scenarios work from dist/ too.
      const { tsImport } = await import('tsx/esm/api')
      mod = (await tsImport(url, import.meta.url)) as { default?: unknown }
    } else {
      mod = (await import(url)) as { default?: unknown }
    }
  } catch (err) {
    throw new ConfigError(`--scenario ${file}: the module failed to load: ${(err as Error).message}`, { flag: '--scenario', file }, { cause: err })
  }
  let fn = mod.default
  if (fn && typeof fn === 'object' && 'default' in fn) fn = (fn as { default: unknown }).default
  if (typeof fn !== 'function') {
    throw new ConfigError(`--scenario ${file}: the module's default export must be an async function (user) => {...}`, { flag: '--scenario', file })
  }
  return fn as ScenarioFunction
}

class User implements ScenarioUser {
  private readonly client: Client
  private readonly base: URL
  private sleepTimer: NodeJS.Timeout | undefined
  private wake: (() => void) | undefined
  private retired = false

  constructor(readonly id: number, private readonly ctx: RunContext, private readonly fn: ScenarioFunction) {
    this.client = new Client(ctx.plan.origin, clientOptions(ctx.plan))
    this.base = new URL(ctx.plan.config.url)
  }

  start(): void {
    void this.run()
  }

  private async run(): Promise<void> {
    const { ctx } = this
    let waitEndedAt = performance.now()
    while (!ctx.stopped && !this.retired) {
      try {
        await this.fn(this)
      } catch (err) {
        if (err instanceof RunStopped) return
        // An iteration that straddles the stop has its request recorded during the drain; its exception
        // is recorded too, so requests and exceptions stay in step. Once closing, neither is.
        if (!ctx.closing) ctx.recorder.exception(err)
        if (ctx.stopped) return
        await this.sleep(EXCEPTION_PAUSE_SEC)
        waitEndedAt = performance.now()
        continue
      }
      const wait = waitSeconds(ctx.plan.wait, (performance.now() - waitEndedAt) / 1000)
      // A scenario that makes no request and no wait would spin the event loop: yield at least once.
      if (wait > 0) await this.sleep(wait)
      else await new Promise<void>((done) => setImmediate(done))
      waitEndedAt = performance.now()
    }
  }

  stop(): void {
    if (this.sleepTimer) clearTimeout(this.sleepTimer)
    this.wake?.()
  }

  /** Users lowered mid-run: the iteration in progress ends at its next wait, and no other starts. */
  retire(): void {
    this.retired = true
    this.stop()
  }

  close(): Promise<void> {
    return this.client.destroy()
  }

  sleep(seconds: number): Promise<void> {
    if (this.ctx.stopped || this.retired || !(seconds > 0)) return Promise.resolve()
    return new Promise((done) => {
      this.wake = () => {
        this.wake = undefined
        this.sleepTimer = undefined
        done()
      }
      // A run lasts at most as long as a timer holds, so a longer sleep is one until the run stops.
      this.sleepTimer = setTimeout(this.wake, Math.min(seconds, MAX_TIMER_SECONDS) * 1000)
    })
  }

  get(path: string, o?: ScenarioRequestOptions) { return this.request('GET', path, o) }
  post(path: string, o?: ScenarioRequestOptions) { return this.request('POST', path, o) }
  put(path: string, o?: ScenarioRequestOptions) { return this.request('PUT', path, o) }
  patch(path: string, o?: ScenarioRequestOptions) { return this.request('PATCH', path, o) }
  delete(path: string, o?: ScenarioRequestOptions) { return this.request('DELETE', path, o) }

  chat(input?: string | ChatMessage[], options: ScenarioChatOptions = {}): Promise<ScenarioResponse> {
    const { plan } = this.ctx
    if (!plan.openai) return Promise.reject(new Error('user.chat() needs floodgate load --openai BASE_URL --model MODEL'))
    const body = input === undefined
      ? this.ctx.nextSpec().body
      : chatBody({ messages: typeof input === 'string' ? [{ role: 'user', content: input }] : input },
        { model: plan.openai.model, maxTokens: options.maxTokens ?? plan.openai.maxTokens })
    return this.request('POST', plan.path, { body, ...(options.name ? { name: options.name } : {}) })
  }

  request(method: string, path: string, options: ScenarioRequestOptions = {}): Promise<ScenarioResponse> {
    const { ctx } = this
    if (ctx.stopped || this.retired) return Promise.reject(new RunStopped('the run has stopped'))
    const url = new URL(path, this.base)
    if (url.origin !== this.base.origin) {
      return Promise.reject(new Error(`scenario request to ${url.origin}, but this run targets ${this.base.origin}`))
    }
    const headers: Record<string, string> = { ...ctx.plan.headers, ...(options.headers ?? {}) }
    let body: Buffer | string | undefined = options.body
    if (options.json !== undefined) {
      body = JSON.stringify(options.json)
      headers['content-type'] = 'application/json'
    }
    const upper = method.toUpperCase()
    const target = `${url.pathname}${url.search}`
    const ep = ctx.recorder.endpoint(upper, options.name ?? target)
    const timeoutMs = Math.round(ctx.plan.config.timeoutSec * 1000)
    return new Promise((done) => {
      const ex = new MeasuredRequest((x, err) => {
        const failure = ctx.finish(ep, x, err, url.href)
        if (failure === null) return done(stoppedResponse())
        const buf = Buffer.concat(x.chunks ?? [])
        const content = x.stream?.measuring && x.stream.text?.length ? x.stream.text.join('') : undefined
        done({
          status: err ? 0 : x.status,
          ok: !failure,
          bytes: x.bytes,
          ...(failure ? { error: failure.error } : {}),
          ...(content !== undefined ? { content } : {}),
          text: () => buf.toString('utf8'),
          json: () => JSON.parse(buf.toString('utf8')) as unknown
        })
      }, true, ctx.streamReader(true))
      ex.reset(performance.now())
      ctx.inFlight++
      this.client.dispatch({
        path: target, method: upper as Dispatcher.HttpMethod, headers, body,
        headersTimeout: timeoutMs, bodyTimeout: timeoutMs
      }, ex)
    })
  }
}

function stoppedResponse(): ScenarioResponse {
  return { status: 0, ok: false, bytes: 0, error: 'run stopped', text: () => '', json: () => undefined }
}

/** Scenario users, started at the spawn rate. */
export function scenarioLoop(ctx: RunContext, fn: ScenarioFunction): Driver {
  const plan = ctx.plan
  return new UserDriver(plan.config.users, plan.config.spawnRate, (i) => new User(plan.idOffset + i, ctx, fn))
}
