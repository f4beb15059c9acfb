// test:concurrent
// Request ids: the client's x-request-id (or x-ms-client-request-id) when usable, else a fresh UUID-shaped
// one: a per-process random prefix and a counter.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { IncomingMessage } from 'node:http'
import { newRequestId, requestIdOf } from '../../src/serve/request-id.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

test('generated request ids are UUID-shaped and unique: one prefix, then a counter', () => {
  const ids = new Set<string>()
  for (let i = 0; i < 10_000; i++) {
    const id = newRequestId()
    assert.match(id, UUID)
    ids.add(id)
  }
  assert.equal(ids.size, 10_000)
  const [a, b] = [newRequestId(), newRequestId()]
  assert.equal(a.slice(0, 24), b.slice(0, 24))
  assert.equal(parseInt(b.slice(24), 16), parseInt(a.slice(24), 16) + 1)
})

test("the client's id when it has 1 to 200 characters, x-request-id first, then x-ms-client-request-id; otherwise a fresh one", () => {
  const idOf = (headers: Record<string, string>): string => requestIdOf({ headers } as unknown as IncomingMessage)
  const cases: Array<[Record<string, string>, string | null]> = [
    [{ 'x-request-id': 'abc-123' }, 'abc-123'],
    [{ 'x-request-id': 'a' }, 'a'],
    [{ 'x-request-id': 'x'.repeat(200) }, 'x'.repeat(200)],
    [{ 'x-ms-client-request-id': 'ms-42' }, 'ms-42'],
    [{ 'x-request-id': 'mine', 'x-ms-client-request-id': 'ms-42' }, 'mine'],
    // An unusable x-request-id does not hide a usable x-ms-client-request-id.
    [{ 'x-request-id': '', 'x-ms-client-request-id': 'ms-42' }, 'ms-42'],
    [{ 'x-request-id': 'x'.repeat(201), 'x-ms-client-request-id': 'ms-43' }, 'ms-43'],
    [{ 'x-request-id': 'x'.repeat(201) }, null],
    [{ 'x-request-id': '' }, null],
    [{ 'x-ms-client-request-id': 'y'.repeat(201) }, null],
    [{}, null]
  ]
  for (const [headers, expected] of cases) {
    const id = idOf(headers)
    if (expected === null) assert.match(id, UUID, JSON.stringify(headers))
    else assert.equal(id, expected)
  }
})
