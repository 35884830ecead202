/**
 * ORCHESTRA_TEST_CPU_REPORT=<file>: what each suite cost, appended as one JSON line a suite:
 * CPU seconds of the jest process (its workers and workflow threads included) and of the
 * processes it started and reaped (CLI runs, Chromium, git), and wall seconds. The dev server's
 * share is not in it (it is globalSetup's child). Linux only (/proc); elsewhere it reports nothing.
 */
import { ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

const file = process.env.ORCHESTRA_TEST_CPU_REPORT;

/**
 * Processes this one started, and how long starting them held its event loop: a fork copies
 * the parent's page tables, so in a process as big as a worker each start blocks for
 * milliseconds (counted once per process, however many suites report).
 */
const key = Symbol.for('orchestra.cpu-report.spawns');
// On the prototype: it is the process's one, while each test file has a global of its own.
const proto = ChildProcess.prototype as unknown as { spawn: (...a: unknown[]) => unknown } & {
  [key]?: { count: number; blockedMs: number };
};
if (file && !proto[key]) {
  const counts = (proto[key] = { count: 0, blockedMs: 0 });
  const spawn = proto.spawn;
  proto.spawn = function (this: unknown, ...args: unknown[]) {
    const start = performance.now();
    try {
      return spawn.apply(this, args);
    } finally {
      counts.count += 1;
      counts.blockedMs += performance.now() - start;
    }
  };
}
const spawnCounts = () => proto[key] ?? { count: 0, blockedMs: 0 };

function cpu(): { self: number; children: number } {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // utime, stime, cutime, cstime: fields 14 to 17, after the command name in parentheses.
  const f = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  const hz = 100; // USER_HZ: 100 on every Linux jest runs on
  return { self: (f[11] + f[12]) / hz, children: (f[13] + f[14]) / hz };
}

/**
 * Report the CPU of the current describe block (or file) under `name`, from before the hooks
 * `declare` adds to after them (jest runs afterAll hooks in the order they were declared).
 */
export function reportCpu(name: string, declare: () => void = () => {}): void {
  if (!file || !existsSync('/proc/self/stat')) return declare();
  let start: { self: number; children: number; wall: number; spawns: number; blockedMs: number } | undefined;
  beforeAll(() => {
    const { count, blockedMs } = spawnCounts();
    start = { ...cpu(), wall: Date.now(), spawns: count, blockedMs };
  });
  declare();
  afterAll(() => {
    if (!start) return;
    const end = cpu();
    const line = {
      suite: name,
      // Which jest worker ran it, and when it began: a run's lanes can be laid out again.
      pid: process.pid,
      startedAt: start.wall,
      self: +(end.self - start.self).toFixed(2),
      children: +(end.children - start.children).toFixed(2),
      wall: (Date.now() - start.wall) / 1000,
      spawns: spawnCounts().count - start.spawns,
      spawnBlockedMs: Math.round(spawnCounts().blockedMs - start.blockedMs),
    };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  });
}
