// The helper thread behind httpGetSync outside a Floodgate pool: it serves the calling thread's requests
// (http-serve.ts) while that thread waits in Atomics.wait.
import { workerData, type MessagePort } from 'node:worker_threads'
import { serveHttpJobs } from './http-serve.js'

const { port, signal } = workerData as { port: MessagePort; signal: Int32Array }
serveHttpJobs(port, signal)
