// Where a served request's bytes are allocated: a preload (`node --import ./scripts/alloc-sample.mjs
// bin/floodgate.js serve ... --workers 1`) that samples the main thread's allocations, objects that minor
// and major GC collected included (V8's sampling heap profiler keeps only live ones by default, and on
// a server nearly every request's object is dead by the end), and writes the profile with the number of
// requests received meanwhile (diagnostics_channel), so that bytes divide into bytes per request.
// Env: ALLOC_SAMPLE_OUT (the .heapprofile to write, "%p" in it replaced by the process id, for a cluster
// whose processes all load this; nothing happens without it), ALLOC_SAMPLE_DELAY_S
// (default 6: start once a load has warmed up), ALLOC_SAMPLE_SECONDS (default 8).
// Read the file with Chrome DevTools (Memory, load profile), or sum selfSize by function or URL.
import { Session } from 'node:inspector'
import { writeFileSync } from 'node:fs'
import { isMainThread } from 'node:worker_threads'
import diagnostics from 'node:diagnostics_channel'

const out = process.env.ALLOC_SAMPLE_OUT?.replaceAll('%p', String(process.pid))
if (isMainThread && out) {
  let requests = 0
  diagnostics.subscribe('http.server.request.start', () => requests++)
  const session = new Session()
  session.connect()
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))))
  const start = async () => {
    await post('HeapProfiler.enable')
    await post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true })
    const from = requests
    setTimeout(async () => {
      const { profile } = await post('HeapProfiler.stopSampling')
      writeFileSync(out, JSON.stringify(profile))
      process.stderr.write(`alloc-sample: ${out} written; ${requests - from} requests received while sampling\n`)
    }, Number(process.env.ALLOC_SAMPLE_SECONDS ?? 8) * 1000).unref()
  }
  setTimeout(() => void start(), Number(process.env.ALLOC_SAMPLE_DELAY_S ?? 6) * 1000).unref()
}
