// test:concurrent
// `floodgate serve`'s flags as resolveServeOptions checks them: each bad value is refused with a message
// naming its flag. The timers' flags stop at the longest delay a Node.js timer holds: above it Node fires
// after 1 ms, and a --timeout of a month re-armed the deadline timer every millisecond.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { resolveServeOptions, type ServeOptions } from '../../src/serve/options.js'

const LIMIT = '2147483 s (24.8 days), the longest delay a Node.js timer holds'

function refused(options: Partial<ServeOptions>, flag: string, message: string): void {
  assert.throws(() => resolveServeOptions({ flowDir: '.', ...options }, {}), { name: 'UsageError', message, details: { flag } }, message)
}

test('serve: each bad flag value is refused, naming the flag and the value', () => {
  refused({ port: 70000 }, '--port', '--port must be an integer from 0 to 65535, got 70000')
  refused({ workers: 0 }, '--workers', '--workers must be an integer of at least 1, got 0')
  refused({ threads: 1.5 }, '--threads', '--threads must be an integer of at least 1, got 1.5')
  refused({ timeoutSeconds: -1 }, '--timeout', '--timeout must be a number of seconds, at least 0 (0 = none), got -1')
  refused({ graceSeconds: -3 }, '--grace', '--grace must be a number of seconds, at least 0, got -3')
  refused({ headerTimeoutSeconds: -0.5 }, '--header-timeout', '--header-timeout must be a number of seconds, at least 0 (0 = none), got -0.5')
  refused({ idleTimeoutSeconds: 0 }, '--idle-timeout', '--idle-timeout must be a number of seconds above 0, got 0')
})

test('serve: --timeout, --grace, --header-timeout and --idle-timeout stop at what a timer holds', () => {
  refused({ timeoutSeconds: 3e6 }, '--timeout', `--timeout must be at most ${LIMIT}, got 3000000`)
  refused({ graceSeconds: 2_147_484 }, '--grace', `--grace must be at most ${LIMIT}, got 2147484`)
  refused({ headerTimeoutSeconds: 1e9 }, '--header-timeout', `--header-timeout must be at most ${LIMIT}, got 1000000000`)
  refused({ idleTimeoutSeconds: 2_147_483.5 }, '--idle-timeout', `--idle-timeout must be at most ${LIMIT}, got 2147483.5`)
  const at = resolveServeOptions({ flowDir: '.', timeoutSeconds: 2_147_483, graceSeconds: 0, headerTimeoutSeconds: 2_147_483, idleTimeoutSeconds: 2_147_483 }, {})
  assert.deepEqual([at.timeoutSeconds, at.graceSeconds, at.headerTimeoutSeconds, at.idleTimeoutSeconds], [2_147_483, 0, 2_147_483, 2_147_483])
})
