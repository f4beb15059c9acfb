// `floodgate report <dir>`: rebuilds the report of a bench folder (report.md + charts, report.html) or of
// a capacity folder (capacity.json, .md, .html: each step judged again from its files) from its saved
// files alone.
import type { Command } from 'commander'
import { isCapacityFolder, rewriteCapacityReport, findingLines } from '../capacity/index.js'
import { terminalReport, writeBenchReport } from '../report/index.js'

export function registerReport(program: Command): void {
  program
    .command('report')
    .argument('<dir>', 'a folder written by floodgate bench or floodgate capacity')
    .description('rebuild the report of a bench or capacity folder from its saved results')
    .action(async (dir: string) => {
      if (isCapacityFolder(dir)) {
        const { file, written } = await rewriteCapacityReport(dir)
        for (const line of findingLines(file)) process.stdout.write(`${line}\n`)
        process.stdout.write(`report: ${written.markdown}\n        ${written.html}\n        ${written.json}\n`)
        return
      }
      const { markdown, html, input } = await writeBenchReport(dir)
      process.stdout.write(`${terminalReport(input)}\nreport: ${markdown}\n        ${html}\n`)
    })
}
