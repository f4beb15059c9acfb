// deploy/kubernetes: every manifest valid against the Kubernetes schemas (kubernetes-models), no unknown
// field, and the pieces fit: probes, ports, drain time, autoscaling target, the sharded load Job.
// test:concurrent
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { applyShard, parseShard } from '../../src/load/shard.js'
import { label, loadManifests, schemaProblems, unknownFieldProblems, type Manifest } from './helpers/kubernetes.js'

const manifests = loadManifests()
const find = (kind: string, name: string): Manifest['obj'] => {
  const m = manifests.find((x) => x.obj.kind === kind && x.obj.metadata.name === name)
  assert.ok(m, `${kind} ${name} in deploy/kubernetes`)
  return m.obj
}
const containerOf = (obj: Manifest['obj']) => obj.spec.template.spec.containers[0]
const envOf = (container: { env?: { name: string; value: string }[] }) => Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]))
const flag = (args: string[], name: string) => {
  const i = args.indexOf(name)
  return i < 0 ? undefined : args[i + 1]
}

test('every manifest is valid against the Kubernetes schemas', () => {
  const files = new Set(manifests.map((m) => m.file))
  for (const f of ['deployment.yaml', 'service.yaml', 'hpa.yaml', 'mock.yaml', 'load-job.yaml', 'merge-job.yaml', 'results-pod.yaml']) {
    assert.ok(files.has(f), `${f} exists`)
  }
  assert.deepEqual(manifests.flatMap(schemaProblems), [])
})

test('no manifest has an unknown field', () => {
  assert.deepEqual(unknownFieldProblems(manifests), [])
})

test('the checks fail on a wrong manifest: wrong type, bad quantity, missing field, unknown field', async (t) => {
  const deployment = manifests.find((m) => m.obj.kind === 'Deployment' && m.obj.metadata.name === 'floodgate') as Manifest
  const broken = (change: (obj: Manifest['obj']) => void): Manifest => {
    const obj = structuredClone(deployment.obj)
    change(obj)
    return { ...deployment, obj }
  }
  assert.match(schemaProblems(broken((o) => { o.spec.replicas = 'two' }))[0],
    /^deployment\.yaml \(document 1, Deployment floodgate\): data\/spec\/replicas must be integer/)
  assert.match(schemaProblems(broken((o) => { containerOf(o).resources.limits.memory = 'lots' }))[0],
    /data\/spec\/template\/spec\/containers\/0\/resources\/limits\/memory must match format "quantity"/)
  assert.match(schemaProblems(broken((o) => { delete containerOf(o).name }))[0],
    /data\/spec\/template\/spec\/containers\/0 must have required property name/)
  assert.match(schemaProblems({ ...deployment, obj: { apiVersion: 'apps/v2', kind: 'Deployment', metadata: { name: 'x' } } })[0],
    /no schema for apiVersion apps\/v2 kind Deployment/)
  const typo = broken((o) => {
    const c = containerOf(o)
    c.readinessProbes = c.readinessProbe
    delete c.readinessProbe
  })
  const problems = unknownFieldProblems([manifests[0], typo])
  assert.equal(problems.length, 1, problems.join('\n'))
  assert.match(problems[0], /^deployment\.yaml \(document 1, Deployment floodgate\): .*'"?readinessProbes"?' does not exist in type 'IContainer'/)
  // And the YAML loader names the file of a document that does not parse.
  const dir = await mkdtemp(join(tmpdir(), 'floodgate-k8s-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'bad.yaml'), 'apiVersion: v1\nkind: [\n')
  assert.throws(() => loadManifests(dir), /^Error: bad\.yaml document 1: /)
})

test('serve Deployment: probes on /health, drain shorter than the grace period, scrape annotations, workers set', () => {
  const d = find('Deployment', 'floodgate')
  const pod = d.spec.template.spec
  const c = containerOf(d)
  const port = c.ports.find((p: { name: string }) => p.name === 'http').containerPort
  assert.equal(flag(c.args, '--port'), String(port))
  assert.equal(flag(c.args, '--host'), '0.0.0.0')
  for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
    assert.equal(c[probe].httpGet.path, '/health', probe)
    assert.ok(c[probe].httpGet.port === 'http' || c[probe].httpGet.port === port, probe)
  }
  const drain = Number(flag(c.args, '--grace') ?? 30)
  const preStop = Number(c.lifecycle?.preStop?.exec?.command?.[1] ?? 0)
  assert.ok(pod.terminationGracePeriodSeconds > drain + preStop, `terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} > ${drain} + ${preStop}`)
  const annotations = d.spec.template.metadata.annotations
  assert.equal(annotations['prometheus.io/scrape'], 'true')
  assert.equal(annotations['prometheus.io/port'], String(port))
  assert.equal(annotations['prometheus.io/path'], '/metrics')
  assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory, 'requests and limits')
  const env = envOf(c)
  assert.match(env.PROMPTFLOW_WORKER_NUM, /^[1-9]\d*$/, 'workers set (else one per core of the node)')
  assert.match(env.PROMPTFLOW_WORKER_THREADS, /^[1-9]\d*$/)
  assert.equal(pod.securityContext.runAsUser, 1000, 'the image user node')
})

test('Services select their Deployments and reach their ports; the HPA scales the serve Deployment on CPU', () => {
  for (const [service, deployment] of [['floodgate', 'floodgate'], ['floodgate-mock', 'floodgate-mock']]) {
    const s = find('Service', service)
    const d = find('Deployment', deployment)
    assert.deepEqual(s.spec.selector, d.spec.selector.matchLabels, `${service} selects ${deployment}`)
    assert.deepEqual(d.spec.template.metadata.labels, { ...d.spec.template.metadata.labels, ...d.spec.selector.matchLabels })
    assert.ok(containerOf(d).ports.some((p: { name: string }) => p.name === s.spec.ports[0].targetPort), `${service} targetPort`)
  }
  const mockPort = find('Service', 'floodgate-mock').spec.ports[0].port
  assert.equal(envOf(containerOf(find('Deployment', 'floodgate'))).MOCK_API_ENDPOINT, `http://floodgate-mock:${mockPort}/`)
  assert.equal(flag(containerOf(find('Deployment', 'floodgate-mock')).args, '--port'), String(mockPort))
  const hpa = find('HorizontalPodAutoscaler', 'floodgate')
  assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'floodgate' })
  assert.equal(hpa.spec.metrics[0].resource.name, 'cpu')
  assert.ok(hpa.spec.minReplicas <= hpa.spec.maxReplicas)
})

test('load Job: Indexed, N pods each running shard $(JOB_COMPLETION_INDEX)/N into the shared volume', () => {
  const job = find('Job', 'floodgate-load')
  const n = job.spec.completions
  assert.equal(job.spec.completionMode, 'Indexed')
  assert.equal(job.spec.parallelism, n)
  const c = containerOf(job)
  assert.equal(c.args[0], 'load')
  assert.equal(flag(c.args, '--shard'), `$(JOB_COMPLETION_INDEX)/${n}`)
  assert.equal(flag(c.args, '--json'), '/results/shard-$(JOB_COMPLETION_INDEX).json')
  const service = find('Service', 'floodgate')
  assert.equal(c.args[1], `http://${service.metadata.name}:${service.spec.ports[0].port}/score`)
  // What each pod runs, as Kubernetes expands it, is a valid shard of the profile.
  const users = Number(flag(c.args, '--users'))
  let total = 0
  for (let i = 0; i < n; i++) {
    const shard = parseShard(flag(c.args, '--shard')?.replace('$(JOB_COMPLETION_INDEX)', String(i)) ?? '')
    total += applyShard({ users, spawnRate: Number(flag(c.args, '--spawn-rate')) }, shard).users
  }
  assert.equal(total, users)
  const claim = find('PersistentVolumeClaim', 'floodgate-results').metadata.name
  for (const name of ['floodgate-load', 'floodgate-merge']) {
    const spec = find('Job', name).spec.template.spec
    const volume = spec.volumes.find((v: { persistentVolumeClaim?: { claimName: string } }) => v.persistentVolumeClaim?.claimName === claim)
    assert.ok(volume, `${name} mounts ${claim}`)
    assert.deepEqual(spec.containers[0].volumeMounts, [{ name: volume.name, mountPath: '/results' }], label({ file: name, doc: 1, obj: find('Job', name) }))
  }
  assert.match(containerOf(find('Job', 'floodgate-merge')).command.join(' '), /floodgate\.js merge \/results\/shard-\*\.json --out \/results\/merged/)
})
