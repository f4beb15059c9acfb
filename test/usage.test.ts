// Usage errors are one line saying what is wrong and where to read more (exit 2), not the whole help.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { runCli } from './helpers/cli.js'

test('usage errors: one line and "(see floodgate <command> --help)", exit 2', async () => {
  const cases: Array<[string[], string]> = [
    [['serve', 'flow', '--workers', '0'], `error: option '--workers <n>' argument '0' is invalid. expected a whole number of at least 1, got "0"\n(see floodgate serve --help)\n`],
    // <url> is optional since --openai: its absence is found by the command, which names both ways
    [['load'], `floodgate: missing <url>: the URL to load, or --openai BASE_URL --model MODEL for an OpenAI-compatible server\n`],
    [['merge', 'a.json'], `error: required option '--out <dir>' not specified\n(see floodgate merge --help)\n`],
    [['frobnicate'], `error: unknown command 'frobnicate'\n(see floodgate --help)\n`]
  ]
  const results = await Promise.all(cases.map(([args]) => runCli(args)))
  results.forEach((r, i) => {
    assert.equal(r.code, 2, r.stderr)
    assert.equal(r.stderr, cases[i][1])
  })
})
