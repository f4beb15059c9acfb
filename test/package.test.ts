import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as floodgate from '../src/index.js'

test('the package entry exports a typed function for every command', () => {
  for (const name of ['loadFlow', 'startServer', 'serveCommand', 'startMock', 'runLoad', 'mergeResults', 'runBench', 'writeBenchReport', 'mergeResultFiles', 'writeLocustCsv']) {
    assert.equal(typeof (floodgate as Record<string, unknown>)[name], 'function', name)
  }
  assert.ok(new floodgate.InputError('x') instanceof floodgate.FloodgateError)
  assert.equal(new floodgate.UsageError('x').exitCode, 2)
  assert.equal(new floodgate.OverloadError('x').httpStatus, 503)
})
