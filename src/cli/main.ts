// Entry of the `floodgate` binary: one subcommand per file in this folder, each registering itself.
import { Command, CommanderError } from 'commander'
import { reportError } from './exit.js'
import { version } from '../version.js'
import { registerRun } from './run.js'
import { registerServe } from './serve.js'
import { registerMock } from './mock.js'
import { registerLoad } from './load.js'
import { registerBench } from './bench.js'
import { registerCapacity } from './capacity.js'
import { registerReport } from './report.js'
import { registerMerge } from './merge.js'

export function buildProgram(): Command {
  const program = new Command('floodgate')
    .description('Serve LLM flows over HTTP and measure how much load they take')
    .version(version)
    .exitOverride()
  registerRun(program)
  registerServe(program)
  registerMock(program)
  registerLoad(program)
  registerBench(program)
  registerCapacity(program)
  registerReport(program)
  registerMerge(program)
  // A usage error is commander's one line and where to read more, not the whole help.
  program.showHelpAfterError('(see floodgate --help)')
  for (const command of program.commands) command.showHelpAfterError(`(see floodgate ${command.name()} --help)`)
  return program
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram()
  try {
    await program.parseAsync(argv)
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; commander already printed usage errors.
      process.exitCode = err.exitCode === 0 ? 0 : 2
      return
    }
    process.exitCode = reportError(err)
  }
}
