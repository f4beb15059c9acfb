// Entry of the `floodgate` binary: one subcommand per file in this folder, each registering itself.
import { Command, CommanderError } from 'commander'
import { reportError } from './exit.js'
import { version } from '../version.js'

type Register = (program: Command) => void

// Each command's module is imported only when that command runs: `floodgate serve` does not load the
// load generator, the dashboard or the report code (a primary that starts workers stays small, and
// every command starts sooner). `--version` loads none of them; help and unknown commands load them all.
const COMMANDS: Record<string, () => Promise<Register>> = {
  run: async () => (await import('./run.js')).registerRun,
  serve: async () => (await import('./serve.js')).registerServe,
  mock: async () => (await import('./mock.js')).registerMock,
  load: async () => (await import('./load.js')).registerLoad,
  bench: async () => (await import('./bench.js')).registerBench,
  capacity: async () => (await import('./capacity.js')).registerCapacity,
  report: async () => (await import('./report.js')).registerReport,
  merge: async () => (await import('./merge.js')).registerMerge
}

/** The program with the command `argv` names, or with every command when it names none of them. */
export async function buildProgram(argv: string[]): Promise<Command> {
  const program = new Command('floodgate')
    .description('Serve LLM flows over HTTP and measure how much load they take')
    .version(version)
    .exitOverride()
  const first = argv[2]
  const named =
    first === '--version' || first === '-V' ? [] : first !== undefined && Object.hasOwn(COMMANDS, first) ? [first] : Object.keys(COMMANDS)
  const registers = await Promise.all(named.map((name) => COMMANDS[name]!()))
  for (const register of registers) register(program)
  // A usage error is commander's one line and where to read more, not the whole help.
  program.showHelpAfterError('(see floodgate --help)')
  for (const command of program.commands) command.showHelpAfterError(`(see floodgate ${command.name()} --help)`)
  return program
}

export async function main(argv: string[]): Promise<void> {
  const program = await buildProgram(argv)
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
