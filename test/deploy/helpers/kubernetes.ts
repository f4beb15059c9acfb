// Validation of deploy/kubernetes/*.yaml without a cluster, in two passes:
// 1. kubernetes-models' validators (generated from the Kubernetes OpenAPI schemas): types, formats
//    (quantities), enums, required fields. They accept unknown fields, as the OpenAPI schemas do.
// 2. Unknown fields (a typo such as `readinessProbes`, which `kubectl apply --validate=strict` rejects):
//    each manifest is type-checked as an object literal of kubernetes-models' TypeScript interface, whose
//    excess-property check names the field.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'
import { parseAllDocuments } from 'yaml'
import { Deployment } from 'kubernetes-models/apps/v1'
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2'
import { Job } from 'kubernetes-models/batch/v1'
import { PersistentVolumeClaim, Pod, Service } from 'kubernetes-models/v1'
import { repoRoot } from '../../helpers/cli.js'

export const KUBERNETES_DIR = join(repoRoot, 'deploy/kubernetes')

export interface Manifest {
  file: string
  /** 1-based position of the document in its file. */
  doc: number
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  obj: any
}

interface Kind {
  model: new (data: never) => { validate(): void }
  module: string
  type: string
}

const KINDS: Record<string, Kind> = {
  'apps/v1 Deployment': { model: Deployment, module: 'kubernetes-models/apps/v1', type: 'IDeployment' },
  'v1 Service': { model: Service, module: 'kubernetes-models/v1', type: 'IService' },
  'v1 PersistentVolumeClaim': { model: PersistentVolumeClaim, module: 'kubernetes-models/v1', type: 'IPersistentVolumeClaim' },
  'v1 Pod': { model: Pod, module: 'kubernetes-models/v1', type: 'IPod' },
  'autoscaling/v2 HorizontalPodAutoscaler': { model: HorizontalPodAutoscaler, module: 'kubernetes-models/autoscaling/v2', type: 'IHorizontalPodAutoscaler' },
  'batch/v1 Job': { model: Job, module: 'kubernetes-models/batch/v1', type: 'IJob' }
}

export function label(m: Manifest): string {
  return `${m.file} (document ${m.doc}, ${m.obj?.kind} ${m.obj?.metadata?.name})`
}

/** Every document of every .yaml file in deploy/kubernetes. */
export function loadManifests(dir = KUBERNETES_DIR): Manifest[] {
  const out: Manifest[] = []
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    parseAllDocuments(readFileSync(join(dir, file), 'utf8')).forEach((d, i) => {
      if (d.errors.length) throw new Error(`${file} document ${i + 1}: ${d.errors[0].message}`)
      out.push({ file, doc: i + 1, obj: d.toJS() })
    })
  }
  return out
}

/** Schema problems of one manifest (an unsupported kind is one). */
export function schemaProblems(m: Manifest): string[] {
  const kind = KINDS[`${m.obj?.apiVersion} ${m.obj?.kind}`]
  if (!kind) return [`${label(m)}: no schema for apiVersion ${m.obj?.apiVersion} kind ${m.obj?.kind}`]
  try {
    new kind.model(m.obj as never).validate()
    return []
  } catch (err) {
    return [`${label(m)}: ${(err as Error).message}`]
  }
}

/** Unknown fields in any of the manifests, each naming its manifest; one TypeScript program for all. */
export function unknownFieldProblems(manifests: Manifest[]): string[] {
  const virtual = join(repoRoot, 'test/deploy/__manifests__.ts')
  const used = new Map<string, Set<string>>()
  const starts: number[] = []
  let body = ''
  manifests.forEach((m, i) => {
    const kind = KINDS[`${m.obj?.apiVersion} ${m.obj?.kind}`]
    if (!kind) return
    if (!used.has(kind.module)) used.set(kind.module, new Set())
    used.get(kind.module)?.add(kind.type)
    starts[i] = body.length
    body += `export const m${i}: ${kind.type} = ${JSON.stringify(m.obj, null, 1)}\n`
  })
  const imports = [...used].map(([module, types]) => `import type { ${[...types].join(', ')} } from '${module}'\n`).join('')
  const text = imports + body
  const options: ts.CompilerOptions = {
    strict: true, noEmit: true, skipLibCheck: true, types: [],
    module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext
  }
  const host = ts.createCompilerHost(options)
  const getSourceFile = host.getSourceFile.bind(host)
  host.getSourceFile = (name, version, ...rest) =>
    name === virtual ? ts.createSourceFile(name, text, version) : getSourceFile(name, version, ...rest)
  const fileExists = host.fileExists.bind(host)
  host.fileExists = (name) => name === virtual || fileExists(name)
  const program = ts.createProgram([virtual], options, host)
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const at = (d.start ?? 0) - imports.length
    const index = starts.findLastIndex((s) => s !== undefined && s <= at)
    const where = index >= 0 ? label(manifests[index]) : 'imports'
    return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`
  })
}
