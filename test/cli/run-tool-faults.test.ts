// `floodgate run` of a tool whose code rejects a promise it never awaits, or throws in a timer: the run
// fails with the node named (exit 1, one line), not a crash with a stack.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { runCli } from '../helpers/cli.js'
import { fixture } from '../serve/helpers.js'

for (const [mode, kind, message] of [
  ['reject', 'unhandled promise rejection', 'rejected and never awaited'],
  ['throw', 'uncaught exception', 'thrown in a timer']
]) {
  test(`floodgate run: a tool's ${kind} fails the run naming the node`, async () => {
    const r = await runCli(['run', fixture('faulty'), '--input', `mode=${mode}`, '--input', 'ms=300'])
    assert.equal(r.code, 1, r.stderr)
    assert.equal(r.stderr, `floodgate: node "faulty" failed: ${kind} in its code: ${message}\n`)
  })
}
