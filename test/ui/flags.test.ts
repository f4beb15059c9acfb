// Every bad --ui flag is one line naming it, exit 2, before anything listens or loads.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { uiOptions } from '../../src/ui/options.js'
import { runCli } from '../helpers/cli.js'

const URL = 'http://127.0.0.1:9/x'

test('bad --ui flags: the exact message, exit 2', async () => {
  const cases: [string[], string][] = [
    [['load', URL, '--ui-port', '8089'], '--ui-port needs --ui: it configures the live web page that --ui serves'],
    [['load', URL, '--ui-host', '0.0.0.0'], '--ui-host needs --ui: it configures the live web page that --ui serves'],
    [['bench', '--ui-token', 'abcdefghijklmnopq'], '--ui-token needs --ui: it configures the live web page that --ui serves'],
    [['load', URL, '--ui', '--ui-port', 'abc'], 'invalid --ui-port "abc": expected a port number from 0 to 65535 (0: any free port)'],
    [['load', URL, '--ui', '--ui-port', '70000'], 'invalid --ui-port "70000": expected a port number from 0 to 65535 (0: any free port)'],
    [['load', URL, '--ui', '--ui-host', 'no such host!'], 'invalid --ui-host "no such host!": expected an IP address or a host name, such as 127.0.0.1 or 0.0.0.0'],
    [['load', URL, '--ui', '--ui-token', 'short'], 'invalid --ui-token: expected 16 or more characters from A-Z a-z 0-9 . _ ~ - (got 5); leave it out to have one generated'],
    [['bench', '--ui', '--ui-port', '-1'], 'invalid --ui-port "-1": expected a port number from 0 to 65535 (0: any free port)'],
    [['load', '--ui', '--run-time', '10s'], 'missing <url>: with --run-time, --ui starts the test at once; give the URL, or leave --run-time out and start the test from the page'],
    [['load', '--ui', '--users', 'many'], 'invalid --users "many": expected a whole number >= 1'],
    [['capacity', '--target', URL, '--slo', 'p99<500', '--ui-host', '0.0.0.0'], '--ui-host needs --ui: it configures the live web page that --ui serves'],
    [['capacity', '--target', URL, '--slo', 'p99<500', '--ui', '--ui-port', 'abc'], 'invalid --ui-port "abc": expected a port number from 0 to 65535 (0: any free port)'],
    [['capacity', '--target', URL, '--slo', 'p99<500', '--ui', '--ui-token', 'short'], 'invalid --ui-token: expected 16 or more characters from A-Z a-z 0-9 . _ ~ - (got 5); leave it out to have one generated']
  ]
  const results = await Promise.all(cases.map(([args]) => runCli(args, { timeoutMs: 30_000 })))
  results.forEach((r, i) => {
    assert.equal(r.stderr, `floodgate: ${cases[i]![1]}\n`, cases[i]![0].join(' '))
    assert.equal(r.code, 2, cases[i]![0].join(' '))
  })
})

test('--ui-host: loopback needs no token; any other address gets one generated unless given', () => {
  assert.deepEqual(uiOptions({ ui: true }), { host: '127.0.0.1', port: 8089, token: null, tokenGenerated: false })
  assert.equal(uiOptions({ ui: true, uiHost: '::1' })?.token, null)
  assert.equal(uiOptions({})?.token, undefined)
  const open = uiOptions({ ui: true, uiHost: '0.0.0.0', uiPort: '0' })!
  assert.equal(open.tokenGenerated, true)
  assert.match(open.token!, /^[A-Za-z0-9_-]{32}$/)
  assert.notEqual(uiOptions({ ui: true, uiHost: '0.0.0.0' })!.token, open.token)
  assert.deepEqual(uiOptions({ ui: true, uiHost: '0.0.0.0', uiToken: 'abcdefghijklmnop' }), { host: '0.0.0.0', port: 8089, token: 'abcdefghijklmnop', tokenGenerated: false })
})
