// `floodgate merge <result.json ...> --out DIR`: merges the results of several generators (src/report/merged.ts)
// and prints the merged tables and the files written.
import type { Command } from 'commander'
import { finalReport, mergeResultFiles } from '../report/index.js'

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('merge results of several generators (floodgate load --shard I/N --json) exactly into one run\'s outputs')
    .argument('<result.json...>', 'files written by floodgate load --json (one per shard)')
    .requiredOption('--out <dir>', 'folder for merged.json, merged_stats.csv (+ history, failures, exceptions) and report.html')
    .option('--quiet', 'print only the files written, not the merged tables')
    .action(async (files: string[], flags: { out: string; quiet?: boolean }) => {
      const { result, files: written, warnings } = await mergeResultFiles(files, flags.out)
      for (const w of warnings) process.stderr.write(`floodgate merge: warning: ${w}\n`)
      if (!flags.quiet) process.stdout.write(finalReport(result, []))
      process.stdout.write(`Merged ${files.length} result(s): ${result.aggregated.requests} requests, ${result.aggregated.failures} failures\n`)
      process.stdout.write(`Wrote ${written.join(', ')}\n`)
    })
}
