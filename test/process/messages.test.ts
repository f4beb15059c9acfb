// The request/reply of the cluster's one message format (src/process/messages.ts).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Requests, reply, REPLY, type Reply } from '../../src/process/messages.js'

test('a request is settled by the reply with its id; an unknown reply is not ours', async () => {
  const requests = new Requests()
  const sent: Array<Record<string, unknown>> = []
  const answer = requests.ask((m) => sent.push(m as Record<string, unknown>), { type: 'floodgate:stats', action: 'get' }, 1000)
  assert.deepEqual(sent, [{ type: 'floodgate:stats', action: 'get', id: 0 }])
  assert.equal(requests.settle({ type: REPLY, id: 7, value: 1 }), false)
  assert.equal(requests.settle({ type: 'floodgate:ready', id: 0 }), false)
  assert.equal(requests.settle({ type: REPLY, id: 0, value: 42 }), true)
  assert.deepEqual(await answer, { type: REPLY, id: 0, value: 42 })
  assert.equal(requests.settle({ type: REPLY, id: 0, value: 43 }), false, 'settled once')
})

test('a request nobody answers resolves undefined after its timeout', async () => {
  const started = performance.now()
  assert.equal(await new Requests().ask(() => {}, { type: 'floodgate:metrics' }, 50), undefined)
  assert.ok(performance.now() - started >= 45)
})

test('reply sends the value, or the error message, under the request id', async () => {
  const sent: Reply[] = []
  reply((m) => sent.push(m as Reply), { type: 'x', id: 3 }, Promise.resolve('text'))
  reply((m) => sent.push(m as Reply), { type: 'x', id: 4 }, Promise.reject(new Error('boom')))
  await new Promise((r) => setImmediate(r))
  assert.deepEqual(sent, [{ type: REPLY, id: 3, value: 'text' }, { type: REPLY, id: 4, error: 'boom' }])
})
