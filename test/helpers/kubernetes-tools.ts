/**
 * How test/kubernetes.test.ts builds and validates deploy/kubernetes, no cluster needed, with
 * pinned tools installed on first use into the project cache:
 * - kustomize, the Go module, built with `go install` (Go on PATH; a cold build takes minutes,
 *   later ones reuse Go's own caches);
 * - kubernetes-validate (PyPI), which bundles Kubernetes' JSON schemas for each release, in a
 *   virtualenv of its own (as test/helpers/schemathesis.ts installs schemathesis);
 * - for KEDA's ScaledObject, which Kubernetes has no schema of, a strict zod schema.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { PROJECT_ROOT } from '../../src/config';
import { pythonTool } from './python-tool';

const CACHE = path.join(PROJECT_ROOT, '.orchestra/cache');
const INSTALL_TIMEOUT_MS = 15 * 60_000;

export const KUSTOMIZE_MODULE = 'sigs.k8s.io/kustomize/kustomize/v5';
/** v5.8.3 needs Go 1.27; this one builds with Go 1.26. */
export const KUSTOMIZE_VERSION = 'v5.8.2';

/** kubernetes-validate and everything it installs, pinned. */
const KUBERNETES_VALIDATE_PINS = [
  'kubernetes-validate==1.37.0',
  'attrs==26.1.0',
  'importlib_resources==7.1.0',
  'jsonschema==4.26.0',
  'jsonschema-specifications==2025.9.1',
  'packaging==26.4',
  'PyYAML==6.0.4',
  'referencing==0.37.0',
  'rpds-py==2026.9.1',
  'typing_extensions==4.16.0',
].join('\n');

// The parts of Kubernetes objects the test reads: kubernetes-validate checks their whole shape.
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}
export interface Probe {
  httpGet?: { path: string; port: string | number; httpHeaders?: { name: string; value: string }[] };
  exec?: { command: string[] };
}
export interface Container {
  name: string;
  image: string;
  args: string[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef: { name: string; optional?: boolean } };
  }[];
  envFrom?: { configMapRef: { name: string } }[];
  ports?: { name: string; containerPort: number }[];
  resources: Record<'requests' | 'limits', { cpu: string; memory: string }>;
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  securityContext: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
export interface Workload extends KubeObject {
  kind: 'Deployment' | 'Job';
  spec: {
    replicas?: number;
    selector?: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        containers: Container[];
        volumes?: { name: string; secret?: { secretName: string } }[];
        securityContext: Record<string, unknown>;
        automountServiceAccountToken?: boolean;
        enableServiceLinks?: boolean;
        hostUsers?: boolean;
      };
    };
  };
}

/**
 * KEDA's ScaledObject, as far as these manifests use it (the spec, and the `temporal` trigger's
 * metadata as KEDA 2.17+ documents it). KEDA's CRD schema is in no registry package this
 * project installs as a tool, so this strict schema stands in for it: a misspelt field fails
 * here, where KEDA would ignore a misspelt trigger setting. Its HPA part is checked against
 * Kubernetes' schema too, as the HorizontalPodAutoscaler KEDA makes of it (hpaOf).
 */
const count = z.string().regex(/^\d+$/); // trigger metadata is map[string]string
const scaledObjectSchema = z.strictObject({
  apiVersion: z.literal('keda.sh/v1alpha1'),
  kind: z.literal('ScaledObject'),
  metadata: z.object({ name: z.string() }).loose(),
  spec: z.strictObject({
    scaleTargetRef: z.strictObject({ name: z.string() }),
    minReplicaCount: z.number().int().min(0),
    maxReplicaCount: z.number().int().min(1),
    pollingInterval: z.number().int().min(1),
    advanced: z.strictObject({
      horizontalPodAutoscalerConfig: z.strictObject({ behavior: z.record(z.string(), z.unknown()) }),
    }),
    triggers: z
      .array(
        z.strictObject({
          type: z.literal('temporal'),
          metadata: z.strictObject({
            endpointFromEnv: z.string(),
            namespace: z.string(),
            taskQueue: z.string(),
            queueTypes: z.string().regex(/^(workflow|activity)(,(workflow|activity))?$/),
            targetQueueSize: count,
            activationTargetQueueSize: count,
            includeRunningWorkflowCount: z.enum(['true', 'false']).optional(), // KEDA 2.22+
          }),
        }),
      )
      .min(1),
  }),
});
export type ScaledObject = z.infer<typeof scaledObjectSchema>;

/** The HorizontalPodAutoscaler KEDA makes of a ScaledObject. */
const hpaOf = (so: ScaledObject): KubeObject => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: `keda-hpa-${so.metadata.name}` },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: so.spec.scaleTargetRef.name },
    minReplicas: Math.max(1, so.spec.minReplicaCount),
    maxReplicas: so.spec.maxReplicaCount,
    behavior: so.spec.advanced.horizontalPodAutoscalerConfig.behavior,
    metrics: so.spec.triggers.map((t, i) => ({
      type: 'External',
      external: {
        metric: { name: `s${i}-temporal` },
        target: { type: 'AverageValue', averageValue: t.metadata.targetQueueSize },
      },
    })),
  },
});

export interface Built {
  /** kustomize's output: what `kubectl apply -k` sends. */
  text: string;
  docs: KubeObject[];
  /** The ScaledObjects that pass the schema above, and what is wrong with the others. */
  scaled: ScaledObject[];
  kedaIssues: string[];
}

/** `kustomize build dir`. */
export async function kustomizeBuild(dir: string): Promise<Built> {
  const out = await run(await kustomize(), ['build', dir]);
  if (out.code !== 0) throw new Error(`kustomize build ${dir} failed: ${out.stderr}`);
  const docs = parseAllDocuments(out.stdout).map((d) => d.toJS() as KubeObject);
  const keda = docs.filter((d) => d.kind === 'ScaledObject').map((d) => scaledObjectSchema.safeParse(d));
  return {
    text: out.stdout,
    docs,
    scaled: keda.flatMap((r) => (r.success ? [r.data] : [])),
    kedaIssues: keda.flatMap((r) => (r.success ? [] : [z.prettifyError(r.error)])),
  };
}

export interface Verdict {
  code: number;
  stderr: string;
  /** Every line but `INFO ... passed`, without its file name. */
  problems: string[];
  /** `kind/name release` of each resource that passed a schema (KEDA's as their HPAs). */
  passed: string[];
  /** What `passed` should hold: every resource, for each release. */
  expected: string[];
}

/**
 * kubernetes-validate --strict (unknown fields fail) on kustomize's output itself and on the
 * HPAs KEDA would make (as JSON: no YAML 1.1 surprises), for each release (`1.33`). A
 * ScaledObject only warns that there is no schema of it.
 */
export async function validateManifests(built: Built, releases: string[]): Promise<Verdict> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'orchestra-k8s-'));
  try {
    const [manifests, hpas] = [path.join(dir, 'manifests.yaml'), path.join(dir, 'hpas.yaml')];
    await writeFile(manifests, built.text);
    await writeFile(hpas, built.scaled.map((so) => JSON.stringify(hpaOf(so))).join('\n---\n'));
    const args = ['--strict', ...releases.flatMap((v) => ['-k', `${v}.0`]), manifests, hpas];
    const { code, stdout, stderr } = await run(await validator(), args);
    const lines = stdout.split('\n').filter(Boolean);
    const checked = [...built.docs.filter((d) => d.kind !== 'ScaledObject'), ...built.scaled.map(hpaOf)];
    return {
      code,
      stderr,
      problems: lines.filter((l) => !/^INFO .* passed /.test(l)).map((l) => l.replace(/^(\w+) \S+ /, '$1 ')),
      passed: lines.flatMap(
        (l) => / passed for resource (\S+) against version (\S+)$/.exec(l)?.slice(1).join(' ') ?? [],
      ),
      expected: checked.flatMap((d) =>
        releases.map((v) => `${d.kind.toLowerCase()}/${d.metadata.name} ${v}`),
      ),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Both tools, installed now. */
export async function installKubernetesTools(): Promise<void> {
  await Promise.all([kustomize(), validator()]);
}

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv, timeout = 60_000) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(cmd, args, { env, timeout, maxBuffer: 64 * 2 ** 20 }, (err, stdout, stderr) =>
      resolve({
        code: err ? (typeof err.code === 'number' ? err.code : 127) : 0,
        stdout,
        stderr: err && !stderr ? err.message : stderr,
      }),
    ),
  );
}

let kustomizing: Promise<string> | undefined;
function kustomize(): Promise<string> {
  kustomizing ??= (async () => {
    const target = path.join(CACHE, 'kustomize', KUSTOMIZE_VERSION);
    const binary = path.join(target, 'kustomize');
    const done = path.join(target, '.installed');
    if (existsSync(done)) return binary;
    await rm(target, { recursive: true, force: true });
    await mkdir(target, { recursive: true });
    const env = { ...process.env, GOBIN: target };
    const built = await run(
      'go',
      ['install', `${KUSTOMIZE_MODULE}@${KUSTOMIZE_VERSION}`],
      env,
      INSTALL_TIMEOUT_MS,
    );
    const why = /ENOENT/.test(built.stderr) ? 'Go 1.26 or later must be on PATH' : built.stderr.trim();
    if (built.code !== 0) throw new Error(`could not install kustomize ${KUSTOMIZE_VERSION}: ${why}`);
    await writeFile(done, `${KUSTOMIZE_MODULE}@${KUSTOMIZE_VERSION}\n`);
    return binary;
  })();
  return kustomizing;
}

let validating: Promise<string> | undefined;
function validator(): Promise<string> {
  validating ??= pythonTool('kubernetes-validate', KUBERNETES_VALIDATE_PINS, 'kubernetes-validate');
  return validating;
}
