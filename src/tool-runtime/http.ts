// GET over undici for async tools. One keep-alive agent is shared by every run in the process.
// Its per-origin pool is a RoundRobinPool: undici's default Pool looks for a free connection by scanning
// its connections from the first, and with thousands of slow requests in flight (a served flow calling
// an LLM) nearly all are busy, so each request paid a scan of thousands (measured: ~14 us per request
// at 3,600 connections). Round-robin starts after the last connection used, which in steady traffic
// is the one free longest. URLs are parsed once and remembered, not on every call. A response is read
// through undici's handler API into one string (TextHandler below): no Response object and no body
// stream, whose Readable machinery was ~10 us per request at 4,000 in flight.
//
// undici is not imported with this module: `floodgate/tools` is loaded by every sync-tool pool thread,
// which never makes an async request, and undici's code is about 8 MiB of heap in each of them. The main
// thread and the threads that serve httpGetSync's requests load it at once (warmHttp), so that a first
// request does not wait for it (~0.1 s compiled, ~0.4 s from source).
import { isMainThread } from 'node:worker_threads'
import type { Agent, Dispatcher } from 'undici'
import { UpstreamError, messageOf } from '../errors.js'
import { unwatchAbort, watchAbort } from './abort.js'
import { detached } from './detached.js'
import { DEFAULT_TIMEOUT_MS, checkTimeout, flattenHeaders, toResponse, type HttpGetOptions, type HttpResponse, type ResponseData } from './response.js'

export interface AsyncHttpGetOptions extends HttpGetOptions {
  /** Cancels the request (pass the signal your tool received). */
  signal?: AbortSignal
}

let agent: Agent | undefined
let creating: Promise<Agent> | undefined

async function createAgent(): Promise<Agent> {
  const undici = await import('undici')
  agent = new undici.Agent({ factory: (origin, options) => new undici.RoundRobinPool(origin, options) })
  return agent
}

/** Starts loading undici now, in a thread that will make requests. */
export function warmHttp(): void {
  if (creating) return
  creating = createAgent()
  // A failure is the first request's to report (fetchText awaits the same promise), not a crash now.
  creating.catch(() => {})
}

if (isMainThread) warmHttp()

interface Target {
  origin: string
  path: string
}
const targets = new Map<string, Target>()
const MAX_TARGETS = 1000

function targetOf(url: string): Target {
  let target = targets.get(url)
  if (target === undefined) {
    const parsed = new URL(url)
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError(`unsupported protocol ${parsed.protocol}`)
    target = { origin: parsed.origin, path: parsed.pathname + parsed.search }
    // Tools that build a new URL per call (a query string per question) must not grow this forever.
    if (targets.size >= MAX_TARGETS) targets.clear()
    targets.set(url, target)
  }
  return target
}

/** Fetches `url` and returns its plain data; rejects with UpstreamError naming the URL. */
export function fetchText(url: string, timeoutMs: number, headers?: Record<string, string>, signal?: AbortSignal): Promise<ResponseData> {
  return request(url, timeoutMs, headers, signal, false) as Promise<ResponseData>
}

// One promise per request, settled by its handler: an async fetchText awaited by an async httpGet made
// four more (each async function's own, and one per await, since a process with async hooks on, as a
// served one is, gets a throwaway promise per await), each with its hook calls.
function request(url: string, timeoutMs: number, headers: Record<string, string> | undefined, signal: AbortSignal | undefined, asResponse: boolean): Promise<ResponseData | HttpResponse> {
  return new Promise((resolve, reject) => {
    const handler = new TextHandler(url, timeoutMs, asResponse, resolve, reject, signal)
    let target: Target
    try {
      target = targetOf(url)
    } catch (err) {
      handler.fail(err)
      return
    }
    if (signal?.aborted) return handler.fail(signal.reason)
    handler.watch()
    // undici's own timers bound the wait (for the headers, then between body chunks) rather than
    // AbortSignal.timeout + AbortSignal.any: those allocate signals, timers and weak references on every
    // call, which showed up as a large share of a served flow's CPU.
    const options: Dispatcher.DispatchOptions = { origin: target.origin, path: target.path, method: 'GET', headers, headersTimeout: timeoutMs, bodyTimeout: timeoutMs }
    if (agent) dispatch(agent, options, handler)
    else (creating ??= createAgent()).then((created) => dispatch(created, options, handler), (err: unknown) => handler.fail(err))
  })
}

function dispatch(dispatcher: Agent, options: Dispatcher.DispatchOptions, handler: TextHandler): void {
  // Aborted while undici was still loading: nothing to send.
  if (handler.settled) return
  try {
    // Outside the tool's scope: a connection this opens outlives the run (detached.ts).
    detached(() => dispatcher.dispatch(options, handler))
  } catch (err) {
    handler.fail(err)
  }
}

/**
 * Collects one response as text and settles its promise, with the plain data or (httpGet) the tool's
 * HttpResponse; aborts the request when `signal` aborts. A failure becomes an UpstreamError naming the
 * URL, unless the signal aborted: then it is the signal's reason.
 */
class TextHandler implements Dispatcher.DispatchHandler {
  private status = 0
  private headers: Record<string, string> = {}
  private readonly chunks: Buffer[] = []
  private controller: Dispatcher.DispatchController | null = null
  settled = false
  private watching = false

  constructor(
    private readonly url: string,
    private readonly timeoutMs: number,
    private readonly asResponse: boolean,
    private readonly resolve: (data: ResponseData | HttpResponse) => void,
    private readonly reject: (err: unknown) => void,
    private readonly signal: AbortSignal | undefined
  ) {}

  /** Aborts the request when the signal aborts; the handler itself watches it (handleEvent), no closure per request. */
  watch(): void {
    if (this.signal) {
      watchAbort(this.signal, this)
      this.watching = true
    }
  }

  handleEvent(): void {
    if (this.controller) this.controller.abort(this.signal!.reason)
    else this.fail(this.signal!.reason)
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller
    if (this.signal?.aborted) controller.abort(this.signal.reason)
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    this.status = statusCode
    this.headers = flattenHeaders(headers)
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk)
  }

  onResponseEnd(): void {
    if (this.settled) return
    this.end()
    const chunks = this.chunks
    const body = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')
    const data = { status: this.status, headers: this.headers, body }
    this.resolve(this.asResponse ? toResponse(this.url, data) : data)
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.fail(err)
  }

  fail(err: unknown): void {
    if (this.settled) return
    this.end()
    const signal = this.signal
    this.reject(signal?.aborted ? (signal.reason ?? err) : upstreamError(this.url, this.timeoutMs, err))
  }

  private end(): void {
    this.settled = true
    if (this.watching) unwatchAbort(this.signal!, this)
  }
}

function upstreamError(url: string, timeoutMs: number, err: unknown): UpstreamError {
  const code = (err as { code?: string }).code
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new UpstreamError(`GET ${url}: no response within ${timeoutMs} ms`, { url })
  }
  return new UpstreamError(`GET ${url} failed: ${messageOf(err)}`, { url, cause: err })
}

/** Async GET for async tools. Does not throw on HTTP error statuses: check `status`, as with fetch. */
export function httpGet(url: string, options: AsyncHttpGetOptions = {}): Promise<HttpResponse> {
  let timeoutMs: number
  try {
    timeoutMs = checkTimeout('httpGet', options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
  } catch (err) {
    return Promise.reject(err)
  }
  return request(url, timeoutMs, options.headers, options.signal, true) as Promise<HttpResponse>
}
