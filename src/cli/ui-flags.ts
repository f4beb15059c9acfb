// The --ui flags, registered the same way on every command that serves the live page (load, bench, capacity).
import type { Command } from 'commander'
import { DEFAULT_UI_HOST, DEFAULT_UI_PORT } from '../ui/options.js'

export function addUiFlags(command: Command, what: string): Command {
  return command
    .option('--ui', `serve a live web page of ${what} (charts, tables, controls, downloads)`)
    .option('--ui-port <port>', `--ui: the page's port (default ${DEFAULT_UI_PORT}; 0: any free port)`)
    .option('--ui-host <host>', `--ui: the address to listen on (default ${DEFAULT_UI_HOST}; any other needs a token)`)
    .option('--ui-token <token>', '--ui: the token every request must carry (Bearer or ?token=); generated and printed when --ui-host is not loopback')
}

/** The lines printed when the page is up. */
export function uiBanner(url: string, generated: boolean): string {
  return `Live page: ${url}${generated ? '\n  (token generated for this run: the page needs the whole URL above, or Authorization: Bearer <token>)' : ''}\n`
}
