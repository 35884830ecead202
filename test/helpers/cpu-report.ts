/**
 * ORCHESTRA_TEST_CPU_REPORT=<file>: what each suite cost, appended as one JSON line a suite:
 * CPU seconds of the jest process (its workers and workflow threads included) and of the
 * processes it started and reaped (CLI runs, Chromium, git), and wall seconds. The dev server's
 * share is not in it (it is globalSetup's child). Linux only (/proc); elsewhere it reports nothing.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

const file = process.env.ORCHESTRA_TEST_CPU_REPORT;

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
  let start: { self: number; children: number; wall: number } | undefined;
  beforeAll(() => {
    start = { ...cpu(), wall: Date.now() };
  });
  declare();
  afterAll(() => {
    if (!start) return;
    const end = cpu();
    const line = {
      suite: name,
      self: +(end.self - start.self).toFixed(2),
      children: +(end.children - start.children).toFixed(2),
      wall: (Date.now() - start.wall) / 1000,
    };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  });
}
