/**
 * deploy/kubernetes: the base and the example overlay, built with kustomize, every resource
 * validated against Kubernetes' own schemas, then read for what Orchestra needs of them (its
 * queues, its variables, its probes, its image). No cluster and no Temporal server: the pinned
 * tools install on first use (test/helpers/kubernetes-tools.ts).
 */
import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { sandboxMode } from '../activities/tools/bwrap';
import { AllowedHosts } from '../src/api/hosts';
import { loadConfig, PROJECT_ROOT } from '../src/config';
import { isModelQueue } from '../src/domain';
import {
  installKubernetesTools,
  kustomizeBuild,
  validateManifests,
  type Built,
  type Container,
  type KubeObject,
  type Workload,
} from './helpers/kubernetes-tools';

/** The oldest release the manifests claim (user namespaces on by default), and the newest the validator knows. */
const KUBERNETES_VERSIONS = ['1.33', '1.37'];
/** The Secrets the README says to create: the only ones referenced, and none is committed. */
const SECRETS = ['orchestra-secrets', 'orchestra-api-tokens'];

interface Manifests extends Built {
  workloads: Workload[];
  configMaps: Map<string, Record<string, string>>;
}
const built = {} as Record<'base' | 'example', Manifests>;

async function build(dir: string): Promise<Manifests> {
  const b = await kustomizeBuild(path.join(PROJECT_ROOT, 'deploy/kubernetes', dir));
  return {
    ...b,
    workloads: b.docs.filter((d): d is Workload => d.kind === 'Deployment' || d.kind === 'Job'),
    configMaps: new Map(
      b.docs
        .filter((d) => d.kind === 'ConfigMap')
        .map((d) => [d.metadata.name, d.data as Record<string, string>]),
    ),
  };
}

const find = (m: Manifests, kind: string, name: string) => {
  const found = m.docs.find((d) => d.kind === kind && d.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};
const component = (w: Workload) => w.spec.template.metadata.labels['app.kubernetes.io/component'];
const pools = (m: Manifests) => m.workloads.filter((w) => component(w) === 'worker');
const api = (m: Manifests) => find(m, 'Deployment', 'orchestra-api') as Workload;
const only = (w: Workload) => w.spec.template.spec.containers[0];

/** A container's environment as its pod gets it: Secrets' values stand in, optional ones left out. */
function environment(c: Container, m: Manifests): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { configMapRef } of c.envFrom ?? []) {
    const data = m.configMaps.get(configMapRef.name);
    if (!data) throw new Error(`${c.name}: no ConfigMap ${configMapRef.name}`);
    Object.assign(env, data);
  }
  for (const v of c.env ?? [])
    if (v.value !== undefined) env[v.name] = v.value;
    else if (v.valueFrom && !v.valueFrom.secretKeyRef.optional) env[v.name] = `secret-${v.name}`;
  return env;
}

const UNITS: Record<string, number> = { m: 1e-3, '': 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const quantity = (q: string) => {
  const m = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti)?$/.exec(q);
  if (!m) throw new Error(`not a quantity: ${q}`);
  return Number(m[1]) * UNITS[m[2] ?? ''];
};

beforeAll(async () => {
  // Cold: a Go build of kustomize and a virtualenv (about four minutes here); warm: a second.
  await installKubernetesTools();
  built.base = await build('base');
  built.example = await build('overlays/example');
}, 20 * 60_000);

describe.each(['base', 'example'] as const)('deploy/kubernetes, %s', (name) => {
  test('every resource passes Kubernetes’ own schemas, strictly; KEDA’s, the fields KEDA reads', async () => {
    const m = built[name];
    expect(m.kedaIssues).toEqual([]);
    const { code, stderr, problems, passed, expected } = await validateManifests(m, KUBERNETES_VERSIONS);
    // Kubernetes has no schema of KEDA's kinds: those alone warn.
    const keda = KUBERNETES_VERSIONS.flatMap((v) =>
      m.scaled.map(
        () =>
          `WARN Couldn't find schema for kind ScaledObject with api version keda.sh/v1alpha1 for kubernetes version ${v}`,
      ),
    );
    expect({ code, stderr, problems: problems.sort() }).toEqual({
      code: 0,
      stderr: '',
      problems: keda.sort(),
    });
    // Every other resource checked against a schema, for each release.
    expect(passed.sort()).toEqual(expected.sort());
    const kinds = m.docs.map((d) => `${d.kind}/${d.metadata.name.replace(/^(orchestra-config)-\w+$/, '$1')}`);
    expect(kinds.sort()).toEqual([
      'ConfigMap/orchestra-config',
      'Deployment/orchestra-api',
      'Deployment/orchestra-worker-default',
      'Deployment/orchestra-worker-heavy',
      'Job/orchestra-setup',
      'Namespace/orchestra',
      'PersistentVolumeClaim/orchestra-workspaces',
      'ScaledObject/orchestra-worker-default',
      'ScaledObject/orchestra-worker-heavy',
      'Service/orchestra-api',
    ]);
    for (const d of m.docs) if (d.kind !== 'Namespace') expect(d.metadata.namespace).toBe('orchestra');
  });

  test('one worker pool per task queue: its Deployment polls the queue it is labelled with, and KEDA scales it on that queue', () => {
    const m = built[name];
    const queues = pools(m).map((w) => {
      const env = environment(only(w), m);
      const config = loadConfig(env);
      expect(w.spec.template.metadata.labels['orchestra/task-queue']).toBe(config.taskQueue);
      expect(w.spec.selector?.matchLabels['orchestra/task-queue']).toBe(config.taskQueue); // no shared pods
      expect(w.spec.replicas).toBeUndefined(); // the ScaledObject owns the count
      const scalers = m.scaled.filter((so) => so.spec.scaleTargetRef.name === w.metadata.name);
      expect(scalers).toHaveLength(1);
      const { triggers, minReplicaCount, maxReplicaCount } = scalers[0].spec;
      expect(minReplicaCount).toBeLessThanOrEqual(maxReplicaCount);
      for (const { metadata } of triggers) {
        expect(metadata.taskQueue).toBe(config.taskQueue);
        expect(isModelQueue(metadata.taskQueue)).toBe(false); // that backlog is the rate limit's
        expect(metadata.namespace).toBe(config.namespace);
        expect(env[metadata.endpointFromEnv]).toBe(config.temporalAddress);
        // Backlog alone would scale a busy pool to zero (its agents' tasks rarely wait).
        if (minReplicaCount === 0) expect(metadata.includeRunningWorkflowCount).toBe('true');
      }
      return { queue: config.taskQueue, min: minReplicaCount };
    });
    const names = new Set(queues.map((q) => q.queue));
    expect(names.size).toBeGreaterThanOrEqual(2);
    expect(queues).toHaveLength(names.size);
    // Some worker always runs, for the cost ledgers every worker serves.
    expect(Math.max(...queues.map((q) => q.min))).toBeGreaterThanOrEqual(1);
    // The API starts agents that name no queue where a pool polls.
    expect([...names]).toContain(loadConfig(environment(only(api(m)), m)).taskQueue);
  });

  test('every pod runs the Dockerfile’s image as its non-root user, an orchestra command, with limits and probes', async () => {
    const m = built[name];
    const pkg = JSON.parse(await readFile(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    const dockerfile = await readFile(path.join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
    const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
    const cli = path.join(PROJECT_ROOT, 'src/cli/commands');
    const sources = await Promise.all((await readdir(cli)).map((f) => readFile(path.join(cli, f), 'utf8')));
    const commands = sources.flatMap((s) => [...s.matchAll(/new Command\('([\w-]+)'\)/g)].map((x) => x[1]));
    for (const w of m.workloads) {
      const pod = w.spec.template.spec;
      expect(pod.containers).toHaveLength(1);
      const c = only(w);
      // `docker build -t orchestra:<version> .`; an overlay puts its registry before the name.
      expect(c.image.split('/').pop()).toBe(`orchestra:${pkg.version}`);
      expect(commands).toContain(c.args[0]);
      for (const key of ['cpu', 'memory'] as const)
        expect(quantity(c.resources.requests[key])).toBeLessThanOrEqual(quantity(c.resources.limits[key]));
      expect({ pod: pod.securityContext, container: c.securityContext }).toMatchObject({
        pod: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 }, // the image's `node` user
        container: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        },
      });
      expect(c.securityContext.privileged).toBeUndefined();
      expect(pod).toMatchObject({ automountServiceAccountToken: false, enableServiceLinks: false });
      if (w.kind === 'Job') continue;
      expect([c.startupProbe, c.livenessProbe, c.readinessProbe]).not.toContain(undefined);
      // A read-only root: what the code writes to is a volume (its temp dir, the workspaces).
      const roots = (environment(c, m).ORCHESTRA_WORKSPACE_ROOTS ?? '').split(/[:,]/).filter(Boolean);
      expect(c.volumeMounts?.map((v) => v.mountPath)).toEqual(expect.arrayContaining(['/tmp', ...roots]));
    }
    for (const w of pools(m)) {
      const c = only(w);
      const port = c.ports?.find((p) => p.name === c.livenessProbe?.httpGet?.port)?.containerPort;
      // Liveness: the worker's metrics endpoint (Temporal not asked); readiness: `orchestra health --worker`.
      expect(loadConfig(environment(c, m)).metricsAddress).toBe(`0.0.0.0:${port}`);
      expect(c.readinessProbe?.exec?.command).toEqual([...entrypoint, 'health', '--worker']);
      expect(sources.join('\n')).toMatch(/\.option\('--worker'/);
      expect(c.volumeMounts?.find((v) => v.mountPath === '/workspaces')?.readOnly).toBeUndefined();
    }
    // Every worker and the API mount the workspaces.
    expect(find(m, 'PersistentVolumeClaim', 'orchestra-workspaces')).toMatchObject({
      spec: { accessModes: ['ReadWriteMany'] },
    });
  });

  test('the environment holds only variables Orchestra reads, and Orchestra’s own parser accepts it', async () => {
    const m = built[name];
    const known = new Set<string>();
    for (const dir of ['src', 'workers', 'activities']) {
      const files = (await readdir(path.join(PROJECT_ROOT, dir), { recursive: true })).filter((f) =>
        f.endsWith('.ts'),
      );
      for (const file of files) {
        const text = await readFile(path.join(PROJECT_ROOT, dir, file), 'utf8');
        for (const [word] of text.matchAll(/\b(?:ORCHESTRA|TEMPORAL|ANTHROPIC)_[A-Z0-9_]+\b/g))
          known.add(word);
      }
    }
    for (const data of m.configMaps.values())
      for (const key of Object.keys(data)) expect(known).toContain(key);
    for (const w of m.workloads) {
      const c = only(w);
      for (const v of c.env ?? []) {
        expect(known).toContain(v.name);
        // Keys and tokens come from Secrets, never from a literal.
        if (/(KEYS?|TOKENS?|SECRET|PASSWORD)$/.test(v.name)) expect(v.valueFrom).toBeDefined();
        if (v.valueFrom) expect(SECRETS).toContain(v.valueFrom.secretKeyRef.name);
      }
      expect(() => loadConfig(environment(c, m))).not.toThrow();
      expect(() => sandboxMode(environment(c, m))).not.toThrow();
      // Only the workers hold the model's key.
      const hasKey = (c.env ?? []).some((v) => v.name === 'ANTHROPIC_API_KEY');
      expect(`${w.metadata.name}: ${hasKey}`).toBe(`${w.metadata.name}: ${component(w) === 'worker'}`);
    }
  });

  test('the API answers its probes and its Service’s names (never the pod IP alone), with tokens from a Secret', () => {
    const m = built[name];
    const c = only(api(m));
    const config = loadConfig(environment(c, m));
    const hosts = new AllowedHosts({
      bindHost: config.api.host,
      port: () => config.api.port,
      extra: config.api.allowedHosts,
      corsOrigins: config.api.corsOrigins,
    });
    const answers = (host: string) => hosts.refusal({ headers: { host } }, false) === undefined;
    const portOf = (name?: string | number) => c.ports?.find((p) => p.name === name)?.containerPort;
    for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe]) {
      expect(answers(probe?.httpGet?.httpHeaders?.find((h) => h.name === 'Host')?.value ?? '')).toBe(true);
      expect(portOf(probe?.httpGet?.port)).toBe(config.api.port);
    }
    expect(answers(`10.1.2.3:${config.api.port}`)).toBe(false); // why the probes send a Host
    const service = find(m, 'Service', 'orchestra-api') as KubeObject & {
      spec: { ports: { port: number; targetPort: string }[] };
    };
    const [{ port, targetPort }] = service.spec.ports;
    expect(portOf(targetPort)).toBe(config.api.port);
    for (const host of ['', '.orchestra', '.orchestra.svc', '.orchestra.svc.cluster.local'].map(
      (s) => `orchestra-api${s}`,
    ))
      expect(`${host}: ${answers(`${host}:${port}`)}`).toBe(`${host}: true`);
    // The API refuses to listen beyond loopback without tokens: a file in a mounted Secret.
    const mount = c.volumeMounts?.find((v) => config.api.tokensFile?.startsWith(`${v.mountPath}/`));
    const volume = api(m).spec.template.spec.volumes?.find((v) => v.name === mount?.name);
    expect(volume?.secret?.secretName).toBe('orchestra-api-tokens');
  });
});

test('the sandbox component gives the worker pods what bubblewrap needs, and them only', () => {
  const { base, example } = built;
  for (const w of pools(base)) {
    expect(w.spec.template.spec.hostUsers).toBeUndefined();
    expect(w.spec.template.spec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(sandboxMode(environment(only(w), base))).toBe('auto'); // bwrap fails: a warning, bash runs bare
  }
  const enforce = (m: Manifests) =>
    find(m, 'Namespace', 'orchestra').metadata.labels?.['pod-security.kubernetes.io/enforce'];
  expect(enforce(base)).toBe('restricted');
  for (const w of pools(example)) {
    const c = only(w);
    expect(w.spec.template.spec.hostUsers).toBe(false); // what it unlocks stays in the pod's user namespace
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      procMount: 'Unmasked', // a fresh /proc for the sandbox's pid namespace
      seccompProfile: { type: 'Unconfined' }, // unshare, clone with namespace flags
      appArmorProfile: { type: 'Unconfined' }, // mount
    });
    expect(sandboxMode(environment(c, example))).toBe('bwrap'); // no sandbox: the worker stops
  }
  for (const w of example.workloads.filter((x) => component(x) !== 'worker'))
    expect(JSON.stringify(w.spec.template.spec)).not.toMatch(/hostUsers|Unconfined|Unmasked/);
  expect(enforce(example)).toBe('privileged'); // Unconfined profiles are outside `baseline`
});
