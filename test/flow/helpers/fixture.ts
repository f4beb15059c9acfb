// Writes throwaway flow folders for tests and removes them afterwards.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestContext } from 'node:test'

/** Creates a flow folder holding `files` (path -> text), removed after the test. */
export async function flowDir(t: TestContext, files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'floodgate-flow-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  // ESM, as in this repository; tool files import 'floodgate/tools' like users' tools do.
  await writeFile(join(dir, 'package.json'), '{"type": "module"}\n')
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true })
    await writeFile(join(dir, name), text)
  }
  return dir
}

/** A DAG yaml from node specs, with inputs question (string) and n (int, default 1). */
export function dagYaml(body: string): string {
  return `inputs:\n  question:\n    type: string\n    default: hi\n  n:\n    type: int\n    default: 1\n${body}`
}

/** The study's mock API stand-in: GET answers the study's JSON after `delayMs`. */
export async function mockServer(t: TestContext, delayMs: number): Promise<string> {
  const server = http.createServer((_req, res) => {
    setTimeout(() => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ total_time_sec: delayMs / 1000, min_wait_time_sec: 1, max_wait_time_sec: 1 }))
    }, delayMs)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => {
    server.closeAllConnections()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
}
