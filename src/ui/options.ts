// --ui, --ui-port, --ui-host, --ui-token: where the live page listens and who may use it. Loopback
// (127.0.0.1) by default with no token; any other address always needs one (given, or generated and
// printed), since the page can start and stop load tests. Every bad value is a UsageError naming its flag.
import { randomBytes } from 'node:crypto'
import { isIP } from 'node:net'
import { UsageError } from '../errors.js'

export const DEFAULT_UI_PORT = 8089
export const DEFAULT_UI_HOST = '127.0.0.1'
const MIN_TOKEN_LENGTH = 16

export interface UiFlags {
  ui?: boolean
  uiPort?: string
  uiHost?: string
  uiToken?: string
}

export interface UiOptions {
  host: string
  port: number
  /** Null: no token needed (loopback and none given). */
  token: string | null
  /** True when the token was made here and must be printed. */
  tokenGenerated: boolean
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)
}

/** The UI's options from the flags; null without --ui. */
export function uiOptions(f: UiFlags): UiOptions | null {
  if (!f.ui) {
    const stray = ([['--ui-port', f.uiPort], ['--ui-host', f.uiHost], ['--ui-token', f.uiToken]] as const).find(([, v]) => v !== undefined)
    if (stray) throw new UsageError(`${stray[0]} needs --ui: it configures the live web page that --ui serves`, { flag: stray[0] })
    return null
  }
  const port = f.uiPort === undefined ? DEFAULT_UI_PORT : /^\d{1,5}$/.test(f.uiPort.trim()) ? Number(f.uiPort) : NaN
  if (!(port >= 0 && port <= 65535)) {
    throw new UsageError(`invalid --ui-port "${f.uiPort}": expected a port number from 0 to 65535 (0: any free port)`, { flag: '--ui-port' })
  }
  const host = f.uiHost ?? DEFAULT_UI_HOST
  if (!isIP(host) && !/^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$/.test(host)) {
    throw new UsageError(`invalid --ui-host "${host}": expected an IP address or a host name, such as 127.0.0.1 or 0.0.0.0`, { flag: '--ui-host' })
  }
  if (f.uiToken !== undefined && !new RegExp(`^[A-Za-z0-9._~-]{${MIN_TOKEN_LENGTH},}$`).test(f.uiToken)) {
    throw new UsageError(`invalid --ui-token: expected ${MIN_TOKEN_LENGTH} or more characters from A-Z a-z 0-9 . _ ~ - ` +
      `(got ${f.uiToken.length}); leave it out to have one generated`, { flag: '--ui-token' })
  }
  if (f.uiToken !== undefined) return { host, port, token: f.uiToken, tokenGenerated: false }
  if (isLoopback(host)) return { host, port, token: null, tokenGenerated: false }
  return { host, port, token: randomBytes(24).toString('base64url'), tokenGenerated: true }
}
