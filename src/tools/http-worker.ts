// The helper thread behind httpGetSync: it performs each request with undici while the calling thread
// waits in Atomics.wait, then posts the answer and bumps a shared counter to wake the caller.
import { workerData, type MessagePort } from 'node:worker_threads'
import { messageOf } from '../errors.js'
import { fetchText } from './http.js'

export interface HttpJob { id: number; url: string; timeoutMs: number; headers?: Record<string, string> }
export type HttpAnswer =
  | { id: number; ok: true; status: number; headers: Record<string, string>; body: string }
  | { id: number; ok: false; message: string }

const { port, signal } = workerData as { port: MessagePort; signal: Int32Array }

port.on('message', (job: HttpJob) => {
  fetchText(job.url, job.timeoutMs, job.headers).then(
    (data) => answer({ id: job.id, ok: true, ...data }),
    (err: unknown) => answer({ id: job.id, ok: false, message: messageOf(err) })
  )
})

function answer(message: HttpAnswer): void {
  port.postMessage(message)
  Atomics.add(signal, 0, 1)
  Atomics.notify(signal, 0)
}

// Request id 0 announces that this thread is up (see prepareHttpGetSync).
answer({ id: 0, ok: true, status: 0, headers: {}, body: '' })
