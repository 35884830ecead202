/**
 * The offline demo's swarm: a supervisor splits a small coding task across two workers,
 * runs the tests, and has a reviewer subagent look over the merge. A fixed replay; the
 * tool results are real.
 */
import type { Script } from '../../llm/script';

export const DEMO_SWARM_TASK =
  'Create a small math module: math.js exporting add(a, b) and mul(a, b), and math.test.js that checks ' +
  'both with node:assert and prints "all tests pass". Split the work between workers, run the tests, and ' +
  'have the result reviewed.';

const WRITE_MODULE = 'Write math.js: a CommonJS module exporting add(a, b) and mul(a, b).';
const WRITE_TESTS =
  'Write math.test.js: require ./math.js, check add(2, 3) === 5 and mul(4, 5) === 20 with node:assert, ' +
  'then print "all tests pass".';
const REVIEW =
  'Review math.js and math.test.js: are they correct and is anything missing? Reply in one paragraph.';

const turn = (delayMs: number, rest: Script['turns'][number]) => ({ delayMs, chunkDelayMs: 15, ...rest });

export const DEMO_SWARM_SCRIPTS: Script[] = [
  {
    name: 'demo-supervisor',
    match: 'Create a small math module',
    turns: [
      turn(400, {
        text: 'Two independent pieces: the module and its tests. Delegating both at once.',
        toolCalls: [
          { name: 'delegate', input: { name: 'module', task: WRITE_MODULE } },
          { name: 'delegate', input: { name: 'tests', task: WRITE_TESTS } },
        ],
      }),
      turn(300, {
        text: 'Both are back. Running the tests.',
        toolCalls: [{ name: 'bash', input: { command: 'node math.test.js' } }],
      }),
      turn(300, {
        text: 'Tests pass. Asking a reviewer to look over the merge.',
        toolCalls: [
          {
            name: 'task',
            input: { description: 'reviewer', prompt: REVIEW, tools: ['read_file', 'list_files'] },
          },
        ],
      }),
      turn(300, {
        text: 'Done: math.js (add, mul) and math.test.js written by two workers; the tests pass and the reviewer approved.',
      }),
    ],
  },
  {
    name: 'demo-worker-module',
    match: 'Write math.js',
    turns: [
      turn(500, {
        toolCalls: [
          {
            name: 'write_file',
            input: {
              path: 'math.js',
              content: 'exports.add = (a, b) => a + b;\nexports.mul = (a, b) => a * b;\n',
            },
          },
        ],
      }),
      turn(200, { text: 'math.js exports add and mul.' }),
    ],
  },
  {
    name: 'demo-worker-tests',
    match: 'Write math.test.js',
    turns: [
      turn(600, {
        toolCalls: [
          {
            name: 'write_file',
            input: {
              path: 'math.test.js',
              content:
                "const assert = require('node:assert');\nconst { add, mul } = require('./math.js');\n" +
                "assert.strictEqual(add(2, 3), 5);\nassert.strictEqual(mul(4, 5), 20);\nconsole.log('all tests pass');\n",
            },
          },
        ],
      }),
      turn(200, { text: 'math.test.js checks add and mul.' }),
    ],
  },
  {
    name: 'demo-reviewer',
    match: 'Review math.js',
    turns: [
      turn(300, {
        toolCalls: [
          { name: 'read_file', input: { path: 'math.js' } },
          { name: 'read_file', input: { path: 'math.test.js' } },
        ],
      }),
      turn(300, {
        text: 'Approved: both functions are correct and tested; edge cases (non-numbers) are out of scope.',
      }),
    ],
  },
];
