// floodgate_time_to_first_chunk_seconds: for a streamed /score answer, the time from the request's
// arrival to the first chunk of its streaming output, on a flow whose first chunk comes after 150 ms.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { call, score, serveFixture } from './helpers.js'

/** The value of one sample line of a Prometheus text exposition, or undefined. */
function sample(text: string, line: string): number | undefined {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `))
  return found === undefined ? undefined : Number(found.slice(line.length + 1))
}

test('a streamed /score answer records its time to first chunk; a JSON answer does not', async (t) => {
  const server = await serveFixture('slow-stream')
  t.after(() => server.close())
  const sse = await score(server.url, {}, { accept: 'text/event-stream' })
  assert.equal(sse.status, 200)
  assert.equal(sse.text, 'data: {"answer":"one"}\n\ndata: {"answer":" two"}\n\ndata: {"answer":" three"}\n\n')
  const json = await score(server.url, {})
  assert.deepEqual(json.body, { answer: 'one two three' })

  const metrics = (await call(`${server.url}/metrics`)).text
  const name = 'floodgate_time_to_first_chunk_seconds'
  assert.match(metrics, new RegExp(`# TYPE ${name} histogram`))
  assert.equal(sample(metrics, `${name}_count{route="/score"}`), 1, 'the streamed answer only')
  const seconds = sample(metrics, `${name}_sum{route="/score"}`)!
  assert.ok(seconds >= 0.15 && seconds < 1, `first chunk after ${seconds} s, expected 0.15 s and a little`)
  assert.equal(sample(metrics, `${name}_bucket{le="0.1",route="/score"}`), 0)
  assert.equal(sample(metrics, `${name}_bucket{le="1",route="/score"}`), 1)
})
