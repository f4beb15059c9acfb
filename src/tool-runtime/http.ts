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
export async function fetchText(url: string, timeoutMs: number, headers?: Record<string, string>, signal?: AbortSignal): Promise<ResponseData> {
  // undici's own timers bound the wait (for the headers, then between body chunks) rather than
  // AbortSignal.timeout + AbortSignal.any: those allocate signals, timers and weak references on every
  // call, which showed up as a large share of a served flow's CPU.
  try {
    const { origin, path } = targetOf(url)
    if (signal?.aborted) throw signal.reason
    const dispatcher = agent ?? (await (creating ??= createAgent()))
    return await new Promise<ResponseData>((resolve, reject) => {
      dispatcher.dispatch({ origin, path, method: 'GET', headers, headersTimeout: timeoutMs, bodyTimeout: timeoutMs }, new TextHandler(resolve, reject, signal))
    })
  } catch (err) {
    if (signal?.aborted) throw signal.reason ?? err
    const code = (err as { code?: string }).code
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      throw new UpstreamError(`GET ${url}: no response within ${timeoutMs} ms`, { url })
    }
    throw new UpstreamError(`GET ${url} failed: ${messageOf(err)}`, { url, cause: err })
  }
}

/** Collects one response as text and settles its promise; aborts the request when `signal` aborts. */
class TextHandler implements Dispatcher.DispatchHandler {
  private status = 0
  private headers: Record<string, string> = {}
  private readonly chunks: Buffer[] = []
  private controller: Dispatcher.DispatchController | null = null
  private settled = false

  constructor(
    private readonly resolve: (data: ResponseData) => void,
    private readonly reject: (err: unknown) => void,
    private readonly signal: AbortSignal | undefined
  ) {
    // The handler itself is the abort listener (handleEvent): no closure per request.
    signal?.addEventListener('abort', this)
  }

  handleEvent(): void {
    if (this.controller) this.controller.abort(this.signal!.reason)
    else this.settle(this.signal!.reason, null)
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
    const chunks = this.chunks
    const body = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')
    this.settle(null, { status: this.status, headers: this.headers, body })
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.settle(err, null)
  }

  private settle(err: unknown, data: ResponseData | null): void {
    if (this.settled) return
    this.settled = true
    this.signal?.removeEventListener('abort', this)
    if (data) this.resolve(data)
    else this.reject(err)
  }
}

/** Async GET for async tools. Does not throw on HTTP error statuses: check `status`, as with fetch. */
export async function httpGet(url: string, options: AsyncHttpGetOptions = {}): Promise<HttpResponse> {
  const timeoutMs = checkTimeout('httpGet', options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
  return toResponse(url, await fetchText(url, timeoutMs, options.headers, options.signal))
}
