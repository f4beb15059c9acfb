// `floodgate report <dir>`: rebuilds report.md (+ charts) and report.html of a bench folder from its
// saved files alone.
import type { Command } from 'commander'
import { terminalReport, writeBenchReport } from '../report/index.js'

export function registerReport(program: Command): void {
  program
    .command('report')
    .argument('<dir>', 'a folder written by floodgate bench')
    .description('rebuild report.md and report.html of a bench folder from its saved results')
    .action(async (dir: string) => {
      const { markdown, html, input } = await writeBenchReport(dir)
      process.stdout.write(`${terminalReport(input)}\nreport: ${markdown}\n        ${html}\n`)
    })
}
