// Runs `floodgate merge ...` as a user would, to completion.
import { runCli, type CliResult } from '../../../helpers/cli.js'

export function runMerge(args: string[], timeoutMs = 60_000): Promise<CliResult> {
  return runCli(['merge', ...args], { timeoutMs })
}
