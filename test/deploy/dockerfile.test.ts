// The Dockerfile, without a Docker engine: linted by dockerfile-utils (the VS Code Docker extension's
// linter), its structure checked against issue 7, its build context checked against .dockerignore, and
// its HEALTHCHECK command run for real against a loopback server.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { validate } from 'dockerfile-utils'
import { repoRoot } from '../helpers/cli.js'
import { startServer, unusedPort } from '../load/helpers/server.js'

const text = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8')

interface Instruction { keyword: string; args: string; line: number }
interface Stage { from: string; name?: string; instructions: Instruction[] }

/** Instructions with continuation lines joined and comments dropped, grouped by stage. */
function parseDockerfile(source: string): { args: Map<string, string>; stages: Stage[] } {
  const args = new Map<string, string>()
  const stages: Stage[] = []
  const lines = source.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const start = i
    let line = lines[i]
    while (line.endsWith('\\')) line = line.slice(0, -1) + ' ' + (lines[++i] ?? '').trim()
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line)
    if (!m || line.trim().startsWith('#')) continue
    const instruction = { keyword: m[1].toUpperCase(), args: m[2].trim(), line: start + 1 }
    if (instruction.keyword === 'FROM') {
      const [from, as, name] = instruction.args.split(/\s+/)
      stages.push({ from, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] })
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [key, value] = instruction.args.split('=')
      args.set(key, value)
    } else {
      stages.at(-1)?.instructions.push(instruction)
    }
  }
  return { args, stages }
}

const { args, stages } = parseDockerfile(text)
const runtime = stages.at(-1) as Stage
const build = stages.find((s) => s.name === 'build') as Stage
const all = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword)
const one = (stage: Stage, keyword: string) => {
  const found = all(stage, keyword)
  assert.equal(found.length, 1, `one ${keyword} in the ${stage.name ?? 'last'} stage`)
  return found[0].args
}
const image = (from: string) => from.replace(/^\$\{(\w+)\}$/, (_, name: string) => args.get(name) ?? from)

test('dockerfile-utils finds no problem in the Dockerfile', () => {
  const problems = validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`)
  assert.deepEqual(problems, [])
})

test('the linter does report problems (so the check above can fail)', () => {
  const bad = 'FROM node:20-bookworm-slim\nEXPOSE http\nHEALTHCHECK --interval=fast CMD node -v\nENTRYPOINT node bin/floodgate.js\nCMD ["serve"\n'
  const problems = validate(bad).map((d) => d.message)
  assert.ok(problems.length >= 2, problems.join('\n'))
})

test('multi-stage: build with dev dependencies, run on node:20 bookworm slim with production ones only', () => {
  assert.ok(stages.length >= 2, 'at least two stages')
  assert.ok(build, 'a stage named build')
  for (const s of stages) assert.match(image(s.from), /^node:20(\.\d+)*-bookworm-slim$/, `stage ${s.name}: ${s.from}`)
  const buildRuns = all(build, 'RUN').map((i) => i.args).join('\n')
  assert.match(buildRuns, /npm ci\b(?!.*--omit=dev)/)
  assert.match(buildRuns, /npm run build/)
  const runtimeRuns = all(runtime, 'RUN').map((i) => i.args).join('\n')
  assert.match(runtimeRuns, /npm ci --omit=dev --ignore-scripts/, 'no dev dependencies, no prepare (tsc) at runtime')
  assert.ok(all(runtime, 'COPY').some((c) => /^--from=build \/app\/dist \.\/dist$/.test(c.args)), 'dist/ comes from the build stage')
})

test('runtime: user node, HEALTHCHECK on /health with node fetch, floodgate serve on 0.0.0.0:8080, SIGTERM', () => {
  assert.equal(one(runtime, 'USER'), 'node')
  const user = runtime.instructions.findIndex((i) => i.keyword === 'USER')
  assert.ok(runtime.instructions.slice(user).every((i) => i.keyword !== 'RUN'), 'nothing runs as root after USER')
  const health = one(runtime, 'HEALTHCHECK')
  assert.match(health, /CMD \["node", "-e", ".*fetch\('http:\/\/127\.0\.0\.1:8080\/health'\)/)
  assert.equal(JSON.parse(one(runtime, 'ENTRYPOINT')).join(' '), 'node bin/floodgate.js')
  assert.deepEqual(JSON.parse(one(runtime, 'CMD')), ['serve', 'flow', '--host', '0.0.0.0', '--port', '8080'])
  assert.equal(one(runtime, 'EXPOSE'), '8080')
  assert.equal(one(runtime, 'STOPSIGNAL'), 'SIGTERM')
  assert.equal(one(runtime, 'ARG'), 'FLOW=examples/promptflow-serve/static_async')
  assert.ok(all(runtime, 'COPY').some((c) => c.args === '${FLOW} ./flow'), 'the FLOW build arg is the served flow')
})

test('everything the Dockerfile copies exists and is not excluded by .dockerignore', () => {
  const ignored = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
  const excluded = (path: string) => ignored.some((p) => p.startsWith('*.') ? path.endsWith(p.slice(1)) : path === p || path.startsWith(`${p}/`))
  const flowDefault = one(runtime, 'ARG').split('=')[1]
  const sources = stages.flatMap((s) => all(s, 'COPY')).filter((c) => !c.args.startsWith('--from'))
    .flatMap((c) => c.args.split(/\s+/).slice(0, -1)).map((p) => p.replace('${FLOW}', flowDefault))
  assert.ok(sources.length >= 5, sources.join(' '))
  for (const path of sources) {
    assert.ok(existsSync(join(repoRoot, path)), `${path} exists`)
    assert.ok(!excluded(path), `${path} is not in .dockerignore`)
  }
  assert.ok(existsSync(join(repoRoot, flowDefault, 'flow.dag.yaml')), 'the default FLOW is a flow')
  for (const heavy of ['node_modules', 'dist', '.git']) assert.ok(excluded(heavy), `${heavy} stays out of the build context`)
})

test("the HEALTHCHECK command exits 0 on a healthy server and 1 otherwise (node's fetch, no curl)", async (t) => {
  const script = JSON.parse(one(runtime, 'HEALTHCHECK').replace(/^.*?CMD /, ''))[2] as string
  let status = 200
  const server = await startServer((req, res) => {
    res.statusCode = req.url === '/health' ? status : 404
    res.end('{"status":"Healthy"}')
  })
  t.after(() => server.close())
  // Asynchronously: the server answering it lives in this process.
  const run = (port: number) => new Promise<number | null>((resolve) => {
    execFile(process.execPath, ['-e', script.replace(':8080/', `:${port}/`)], { timeout: 10_000 }, (err) => {
      resolve(err ? (typeof err.code === 'number' ? err.code : null) : 0)
    })
  })
  assert.equal(await run(server.port), 0)
  status = 503
  assert.equal(await run(server.port), 1)
  assert.equal(await run(await unusedPort()), 1)
})
