/**
 * A schemathesis fuzz run over the OpenAPI document (every operation, generated and mutated
 * inputs) gets no 5xx and no answer outside the documented statuses and schemas. A slow suite:
 * `npm run test:slow`, and CI.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { useHarness } from './helpers/harness';
import { useApi, USERS } from './helpers/api';
import { schemathesis } from './helpers/schemathesis';

const h = useHarness();
const api = useApi(h, { requestTimeoutMs: 30_000 });

const run = promisify(execFile);

test(
  'a schemathesis fuzz run over the document finds no 5xx and no undocumented answer',
  async () => {
    const st = await schemathesis();
    const junitPath = path.join(await mkdtemp(path.join(tmpdir(), 'orchestra-fuzz-')), 'junit.xml');
    const args = [
      'run',
      `${api.url}/openapi.json`,
      '--url',
      api.server.url,
      '--header',
      `Authorization: Bearer ${USERS.fuzz.token}`,
      '--checks',
      'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance',
      // Streams stay open as long as their agent runs, the feed's for good; their answers are
      // covered by the stream and feed tests.
      '--exclude-path-regex',
      '/stream$|^/api/v1/events$',
      // Not the stateful phase: it chains real spawns into their live streams, which never end.
      '--phases',
      'examples,coverage,fuzzing',
      '--max-examples',
      '25',
      '--seed',
      '20261124',
      '--workers',
      '2',
      '--request-timeout',
      '60',
      // A budget for the whole run, well inside the test's own timeout.
      '--max-time',
      '150',
      '--no-color',
      '--report',
      'junit',
      '--report-junit-path',
      junitPath,
    ];
    // Run it in a temp directory: it keeps an example database where it runs.
    const result = await run(st, args, {
      cwd: path.dirname(junitPath),
      timeout: 15 * 60_000,
      maxBuffer: 64 * 1024 * 1024,
    }).catch((err: { stdout?: string; stderr?: string; code?: number }) => err);
    const code = 'code' in result ? result.code : 0;
    const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
    const junit = await readFile(junitPath, 'utf8').catch(() => '');
    await writeFile(path.join(path.dirname(junitPath), 'output.txt'), output);
    const explain = `schemathesis output (all of it in ${path.dirname(junitPath)}/output.txt):\n${output.slice(-15_000)}`;
    // It really ran: every operation but the streams (24 at least).
    const testcases = (junit.match(/<testcase /g) ?? []).length;
    if (testcases < 24) throw new Error(`schemathesis ran ${testcases} operations:\n${output.slice(-5000)}`);
    // No check failed: no 5xx, and no status, content type or body outside the document.
    const failures = junit.match(/<failure[\s\S]*?<\/failure>/g) ?? [];
    if (failures.length) throw new Error(`${failures.length} failed checks; ${explain}`);
    // CPython 3.11.7's ast.parse has a bug (gh-106905) that hypothesis can trip over while it
    // describes a strategy: the tool failing before it sends a request. That one error is let
    // through, and said; any other error fails the test.
    const errors = junit.match(/<error[\s\S]*?<\/error>/g) ?? [];
    const known = errors.filter((e) => e.includes('AST constructor recursion depth mismatch'));
    expect(errors.filter((e) => !known.includes(e))).toEqual([]);
    if (known.length) console.log(`schemathesis: ${known.length} operation(s) hit the CPython ast.parse bug`);
    if (!known.length) expect(code).toBe(0);
  },
  20 * 60_000,
);
