// The CLI registers (and so imports) only the command it runs; --version none; help and anything else get every command.
// test:concurrent
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildProgram } from '../../src/cli/main.js'
import { version } from '../../src/version.js'

const ALL = ['run', 'serve', 'mock', 'load', 'bench', 'capacity', 'report', 'merge']

test('a command loads alone; help and unknown commands see every command in order; --version loads none', async () => {
  for (const name of ALL) {
    const program = await buildProgram(['node', 'floodgate', name, '--help'])
    assert.deepEqual(program.commands.map((c) => c.name()), [name])
  }
  for (const flag of ['--version', '-V']) {
    const program = await buildProgram(['node', 'floodgate', flag])
    assert.deepEqual(program.commands, [], flag)
    assert.equal(program.version(), version)
  }
  for (const argv of [[], ['--help'], ['help', 'serve'], ['servе'], ['toString'], ['__proto__']]) {
    const program = await buildProgram(['node', 'floodgate', ...argv])
    assert.deepEqual(program.commands.map((c) => c.name()), ALL, argv.join(' '))
  }
})
