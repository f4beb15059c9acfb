// The study's static_async flow written by hand on the libraries Floodgate serves it with, as the floor
// of what the stack costs at 10,000 connections (serve.bench.ts, SERVE_BENCH_AB_BARE): node:cluster with
// BARE_WORKERS workers accepting from the shared socket (as `floodgate serve` does), a fastify POST
// /score, three 250 ms sleeps at once, then one GET to MOCK_API_ENDPOINT through an undici Agent of
// round-robin pools read into one string by a dispatch handler (as the tool runtime reads it). Nothing
// else: no flow engine, validation, deadlines, admission, metrics, logs or tool scope.
// Prints `listening on <url>` when every worker listens.
import cluster from 'node:cluster'

const workers = Number(process.env.BARE_WORKERS ?? 2)

if (cluster.isPrimary) {
  cluster.schedulingPolicy = cluster.SCHED_NONE
  let ready = 0
  for (let i = 0; i < workers; i++) {
    cluster.fork().on('message', (message) => {
      if (++ready === workers) console.log(`listening on http://127.0.0.1:${message.port}`)
    })
  }
  // The primary exits by itself once its workers are gone (it holds nothing else).
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM')
  })
} else {
  const { default: Fastify } = await import('fastify')
  const undici = await import('undici')
  const agent = new undici.Agent({ factory: (origin, options) => new undici.RoundRobinPool(origin, options) })
  const upstream = new URL(process.env.MOCK_API_ENDPOINT)
  const target = { origin: upstream.origin, path: upstream.pathname + upstream.search, method: 'GET', headersTimeout: 30_000, bodyTimeout: 30_000 }

  const get = () => new Promise((resolve, reject) => {
    let status = 0
    const chunks = []
    agent.dispatch(target, {
      onRequestStart() {},
      onResponseStart(_controller, statusCode) { status = statusCode },
      onResponseData(_controller, chunk) { chunks.push(chunk) },
      onResponseEnd() { resolve({ status, body: Buffer.concat(chunks).toString('utf8') }) },
      onResponseError(_controller, err) { reject(err) }
    })
  })
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

  const score = async () => {
    await Promise.all([sleep(250), sleep(250), sleep(250)])
    const start = performance.now()
    const response = await get()
    if (response.status !== 200) throw new Error(`upstream answered ${response.status}`)
    const answer = JSON.parse(response.body)
    answer.pf_node_time_sec = (performance.now() - start) / 1000
    answer.type = 'pf_dag_async'
    return { answer }
  }

  const app = Fastify({ logger: false, keepAliveTimeout: 72_000, connectionTimeout: 0, requestTimeout: 0 })
  app.post('/score', score)
  await app.listen({ host: '127.0.0.1', port: 0, backlog: 8192 })
  process.send({ port: app.server.address().port })
  process.on('SIGTERM', () => { app.server.close(() => process.exit(0)); app.server.closeAllConnections() })
}
