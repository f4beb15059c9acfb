// Compiled Floodgate (dist/) hands sync tools to the pool as the flow's JavaScript build (src/flow/tool-build.ts):
// relative imports bundled, packages and floodgate/tools imported by path, import.meta.url kept.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { repoRoot } from '../helpers/cli.js'

const run = promisify(execFile)
const bin = join(repoRoot, 'bin/floodgate.js')
const flowDir = fileURLToPath(new URL('./fixtures/built-tool/', import.meta.url))
const builds = () => readdirSync(tmpdir()).filter((f) => f.startsWith('floodgate-tools-')).length

test('compiled floodgate runs a TypeScript sync tool from its pool build', { skip: !existsSync(join(repoRoot, 'dist/cli/main.js')) && 'needs npm run build' }, async () => {
  const before = builds()
  const { stdout } = await run(process.execPath, [bin, 'run', flowDir, '--json', '--threads', '2'], { cwd: repoRoot, timeout: 60_000 })
  const { outputs, trace } = JSON.parse(stdout) as { outputs: { answer: Record<string, unknown> }; trace: { nodes: Array<{ ranOn: string }> } }
  assert.deepEqual(outputs.answer, { greeting: 'hello pool', yaml: 'a: 1', onPool: true, dir: flowDir })
  assert.equal(trace.nodes[0]!.ranOn, 'pool')
  assert.equal(builds(), before, 'the build folder is removed when the flow closes')
})
