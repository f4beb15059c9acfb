// The serving side of httpGetSync: takes jobs from a port, performs each with undici, posts the answer
// and bumps a shared counter to wake the thread blocked in Atomics.wait. It runs in the helper worker
// of a thread (http-worker.ts), or on the main thread for the threads of a Floodgate pool (pool.ts),
// which then need no helper thread each.
import type { MessagePort } from 'node:worker_threads'
import { messageOf } from '../errors.js'
import { fetchText, warmHttp } from './http.js'

export interface HttpJob { id: number; url: string; timeoutMs: number; headers?: Record<string, string> }
export type HttpAnswer =
  | { id: number; ok: true; status: number; headers: Record<string, string>; body: string }
  | { id: number; ok: false; message: string }

/** What a pool thread sends its pool (over parentPort) to have the main thread serve its requests. */
export const HTTP_CHANNEL = 'floodgate:http-channel'
export interface HttpChannelMessage { type: typeof HTTP_CHANNEL; port: MessagePort; signal: Int32Array }

export function isHttpChannelMessage(message: unknown): message is HttpChannelMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === HTTP_CHANNEL
}

export function serveHttpJobs(port: MessagePort, signal: Int32Array): void {
  warmHttp()
  const answer = (message: HttpAnswer): void => {
    port.postMessage(message)
    Atomics.add(signal, 0, 1)
    Atomics.notify(signal, 0)
  }
  port.on('message', (job: HttpJob) => {
    fetchText(job.url, job.timeoutMs, job.headers).then(
      (data) => answer({ id: job.id, ok: true, ...data }),
      (err: unknown) => answer({ id: job.id, ok: false, message: messageOf(err) })
    )
  })
  // Request id 0 announces that the serving side is up (see prepareHttpGetSync).
  answer({ id: 0, ok: true, status: 0, headers: {}, body: '' })
}
