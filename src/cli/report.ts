// `floodgate report <dir>`: rebuilds report.md (+ charts) and report.html of a bench folder from its
// saved files alone.
import type { Command } from 'commander'
import { writeBenchReport } from '../report/index.js'

export function registerReport(program: Command): void {
  program
    .command('report')
    .argument('<dir>', 'a folder written by floodgate bench')
    .description('rebuild report.md and report.html of a bench folder from its saved results')
    .action(async (dir: string) => {
      const { markdown, html, input } = await writeBenchReport(dir)
      for (const a of input.analyses) process.stdout.write(`${a.name}: ${a.verdict.text}\n`)
      process.stdout.write(`report: ${markdown}\n        ${html}\n`)
    })
}
