/** `orchestra demo` offline: it starts its own server, worker and scripted model, and finishes the task. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CLI } from './helpers/cli';
import { freePort } from './helpers/ports';

test('the offline demo writes, runs and fixes a program, then prints the result, metrics and Web UI link', async () => {
  const home = await mkdtemp(path.join(tmpdir(), 'orchestra-demo-home-'));
  const port = await freePort();
  const uiPort = await freePort();
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ORCHESTRA_HOME: home,
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      ORCHESTRA_UI_PORT: String(uiPort),
      TEMPORAL_CLI: process.env.ORCHESTRA_TEST_TEMPORAL_CLI,
    };
    delete env.ANTHROPIC_API_KEY;
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) =>
      execFile(process.execPath, [CLI, 'demo', '--no-keep'], { env }, (err, out, errOut) =>
        err
          ? reject(new Error(`demo failed: ${err.message}\n${out}\n${errOut}`))
          : resolve({ stdout: out, stderr: errOut }),
      ),
    );
    // A person's output: no log line in it, and none of the SDK's by-design warnings anywhere.
    expect(stdout).not.toMatch(/^\{"level"/m);
    expect(stderr).not.toMatch(/No (workflows|activities) registered/);
    expect(stdout).toMatch(/starting a Temporal dev server/);
    expect(stdout).toMatch(/model: the scripted model server \(a test double/);
    expect(stdout).toMatch(/result +✓ bash: exit code 0 13 14 Fizz\n/);
    expect(stdout).toMatch(/result +✓ edit_file: replaced 1 occurrence\(s\) in fizzbuzz.js/);
    expect(stdout).toMatch(/✓ bash: exit code 0 1 2 Fizz 4 Buzz Fizz 7 8 Fizz Buzz 11 Fizz 13 14 FizzBuzz/);
    expect(stdout).toMatch(/✓ agent \S+ completed/);
    expect(stdout).toMatch(/metrics: .*6 iterations · 6 tool calls/);
    expect(stdout).toMatch(/files: +fizzbuzz.js/);
    expect(stdout).toMatch(
      new RegExp(`Web UI: +http://127.0.0.1:${uiPort}/namespaces/default/workflows/agent-\\S+`),
    );
    // The swarm: a supervisor, two workers at once, a reviewer; the tests really pass.
    expect(stdout).toMatch(/\n {2}\S+\.1\.1 module completed · 1 tools/);
    expect(stdout).toMatch(/\n {2}\S+\.1\.2 tests completed · 1 tools/);
    expect(stdout).toMatch(/\n {2}\S+\.1\.3 reviewer completed · 2 tools/);
    expect(stdout).toMatch(/✓ swarm \S+ \(supervisor\) completed/);
    expect(stdout).toMatch(/totals: +4 agents · 8 tool calls/);
    // The demo serves the dashboard while it runs, and says where before the first step.
    const first = /agent \S+ · http\S+ · dashboard (http:\/\/127\.0\.0\.1:\d+\/)\n/.exec(stdout);
    expect(first).not.toBeNull();
    expect(stdout).toContain(`Dashboard: ${first![1]}`);
    expect(stdout.indexOf(first![0])).toBeLessThan(stdout.indexOf(' todos '));
    expect(stdout).toMatch(
      new RegExp(`Web UI: +http://127.0.0.1:${uiPort}/namespaces/default/workflows/swarm-\\S+`),
    );
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
