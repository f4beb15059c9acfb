// /metrics of a cluster while a worker dies and is started again, scraped every 200 ms under load: every
// scrape answers 200 within its budget, and no counter ever goes down (the primary keeps what the dead
// worker had counted). Prometheus reads a counter that drops as a reset, and rate() turns wrong.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { Client } from 'undici'
import { serve, stop, workerPids } from './cli-helpers.js'
import { fixture, score } from './helpers.js'

/** Every cumulative series of a Prometheus text (counters, histogram buckets, sums and counts). */
function cumulativeSeries(text: string): Map<string, number> {
  const cumulative = new Set<string>()
  for (const m of text.matchAll(/^# TYPE (\S+) (counter|histogram)$/gm)) cumulative.add(m[1])
  const series = new Map<string, number>()
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*?)(_bucket|_sum|_count)?(\{[^}]*\})? (\S+)$/.exec(line)
    if (!m) continue
    const name = cumulative.has(m[1] + (m[2] ?? '')) ? m[1] + (m[2] ?? '') : m[1]
    if (cumulative.has(name)) series.set(line.slice(0, line.lastIndexOf(' ')), Number(m[4]))
  }
  return series
}

interface Scrape {
  at: number
  ms: number
  status: number | string
  series?: Map<string, number>
}

test('cluster /metrics scraped every 200 ms under load while a worker is SIGKILLed and restarted: always 200 within budget, no counter goes down', async (t) => {
  const { child, url, output } = await serve([fixture('wait'), '--port', '0', '--workers', '2', '--log-level', 'debug'])
  t.after(() => stop(child))
  const started = performance.now()
  const until = started + 4000
  const load = Array.from({ length: 8 }, async () => {
    while (performance.now() < until) await score(url, { ms: 30 }).catch(() => undefined)
  })
  const scrapes: Scrape[] = []
  const scraper = (async () => {
    while (performance.now() < until) {
      const at = performance.now() - started
      const client = new Client(url)
      const scrape: Scrape = await client.request({ path: '/metrics', method: 'GET', headersTimeout: 10_000, bodyTimeout: 10_000 }).then(
        async (res) => {
          const text = await res.body.text()
          return { at, ms: performance.now() - started - at, status: res.statusCode, series: res.statusCode === 200 ? cumulativeSeries(text) : undefined }
        },
        (err: Error) => ({ at, ms: performance.now() - started - at, status: `error ${err.message}` })
      )
      await client.destroy()
      scrapes.push(scrape)
      await sleep(200)
    }
  })()
  await sleep(1500)
  const [victim] = workerPids(output())
  const killedAt = performance.now() - started
  process.kill(victim, 'SIGKILL')
  await Promise.all([...load, scraper])

  const answered = scrapes.filter((s) => typeof s.status === 'number')
  // A scrape whose connection the dying worker had accepted dies with it: that is the kill, not /metrics.
  const cut = scrapes.filter((s) => typeof s.status === 'string')
  assert.ok(cut.every((s) => Math.abs(s.at - killedAt) < 1000), `transport errors away from the kill: ${JSON.stringify(cut)}`)
  assert.ok(cut.length <= 1, JSON.stringify(cut))
  assert.deepEqual(answered.map((s) => s.status), answered.map(() => 200))
  assert.ok(answered.length >= 10, `${answered.length} scrapes`)
  const slowest = Math.max(...answered.map((s) => s.ms))
  assert.ok(slowest < 2000, `slowest scrape ${slowest} ms`)
  assert.match(output(), /"signal":"SIGKILL".*"msg":"worker exited unexpectedly; restarting it"/)

  let previous: Map<string, number> | undefined
  let compared = 0
  for (const scrape of answered) {
    for (const [name, value] of scrape.series!) {
      const before = previous?.get(name)
      if (before === undefined) continue
      compared++
      assert.ok(value >= before, `${name} went from ${before} down to ${value} (scrape at ${Math.round(scrape.at)} ms, worker killed at ${Math.round(killedAt)} ms)`)
    }
    previous = scrape.series
  }
  assert.ok(compared > 100, `${compared} series compared`)
  const last = answered.at(-1)!.series!
  assert.ok((last.get('floodgate_http_requests_total{route="/score",status="200"}') ?? 0) > 100, 'the load was counted')
})
