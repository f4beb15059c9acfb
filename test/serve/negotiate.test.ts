// test:concurrent
// Content negotiation for /score, as pf serve does it: JSON for application/json, application/* or */*
// (and for no Accept at all), Server-Sent Events only when text/event-stream is named; q=0 refuses a type.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseAccept } from '../../src/serve/negotiate.js'

test('Accept negotiation follows pf serve', () => {
  const cases: Array<[string | undefined, { json: boolean; eventStream: boolean }]> = [
    [undefined, { json: true, eventStream: false }],
    ['', { json: true, eventStream: false }],
    ['*/*', { json: true, eventStream: false }],
    ['application/json', { json: true, eventStream: false }],
    ['application/*', { json: true, eventStream: false }],
    ['Application/JSON; charset=utf-8', { json: true, eventStream: false }],
    ['text/html, */*;q=0.8', { json: true, eventStream: false }],
    ['text/event-stream', { json: false, eventStream: true }],
    ['text/event-stream, application/json;q=0.5', { json: true, eventStream: true }],
    ['application/json,TEXT/EVENT-STREAM', { json: true, eventStream: true }],
    ['text/html', { json: false, eventStream: false }],
    ['text/*', { json: false, eventStream: false }],
    // q=0 (in any of its spellings) refuses the type; any other weight, or a parameter merely ending in q, does not
    ['application/json;q=0', { json: false, eventStream: false }],
    ['application/json; q = 0.000 , text/event-stream', { json: false, eventStream: true }],
    ['application/json;charset=utf-8;q=0, text/event-stream;q=0.', { json: false, eventStream: false }],
    ['application/json;q=0.5', { json: true, eventStream: false }],
    ['application/json;q=0.01', { json: true, eventStream: false }],
    ['application/json;q=1', { json: true, eventStream: false }],
    ['application/json;seq=0', { json: true, eventStream: false }],
    ['text/event-stream;level=1;q=1', { json: false, eventStream: true }]
  ]
  for (const [header, expected] of cases) assert.deepEqual(parseAccept(header), expected, String(header))
})
