/** The offline demo's scripted conversation: a fixed replay, the tools' results are real. */
import type { Script } from '../../llm/script';

export const DEMO_TASK =
  'Write fizzbuzz.js that prints FizzBuzz for the numbers 1 to 15 (Fizz for multiples of 3, Buzz for 5, ' +
  'FizzBuzz for both), run it with node, and fix any bug you find.';

const BUGGY = `for (let i = 1; i <= 15; i++) {
  let out = String(i);
  if (i % 3 === 0) out = 'Fizz';
  else if (i % 5 === 0) out = 'Buzz';
  else if (i % 15 === 0) out = 'FizzBuzz';
  console.log(out);
}
`;

/** Each turn waits a little, as a model would, so the progress reads live. */
export const DEMO_SCRIPT: Script = {
  name: 'demo-fizzbuzz',
  turns: [
    {
      text: "I'll plan, write the program, run it, and check the output.",
      toolCalls: [
        {
          name: 'todo',
          input: {
            todos: [
              { content: 'write fizzbuzz.js', status: 'in_progress' },
              { content: 'run it and check 15 prints FizzBuzz', status: 'pending' },
            ],
          },
        },
        { name: 'write_file', input: { path: 'fizzbuzz.js', content: BUGGY } },
      ],
      delayMs: 400,
      chunkDelayMs: 20,
    },
    {
      text: 'Now I run it and look at the last lines.',
      toolCalls: [{ name: 'bash', input: { command: 'node fizzbuzz.js | tail -n 3' } }],
      delayMs: 400,
      chunkDelayMs: 20,
    },
    {
      text: '15 printed "Fizz": the multiple-of-15 case is checked last, so it never wins. Moving it first.',
      toolCalls: [
        {
          name: 'edit_file',
          input: {
            path: 'fizzbuzz.js',
            old_string:
              "  if (i % 3 === 0) out = 'Fizz';\n  else if (i % 5 === 0) out = 'Buzz';\n  else if (i % 15 === 0) out = 'FizzBuzz';",
            new_string:
              "  if (i % 15 === 0) out = 'FizzBuzz';\n  else if (i % 3 === 0) out = 'Fizz';\n  else if (i % 5 === 0) out = 'Buzz';",
          },
        },
      ],
      delayMs: 400,
      chunkDelayMs: 20,
    },
    {
      toolCalls: [{ name: 'bash', input: { command: 'node fizzbuzz.js | tr "\\n" " "' } }],
      delayMs: 400,
      chunkDelayMs: 20,
    },
    {
      delayMs: 300,
      toolCalls: [
        {
          name: 'todo',
          input: {
            todos: [
              { content: 'write fizzbuzz.js', status: 'completed' },
              { content: 'run it and check 15 prints FizzBuzz', status: 'completed' },
            ],
          },
        },
      ],
    },
    {
      text: 'Done: fizzbuzz.js prints 1 to 15 with Fizz, Buzz and FizzBuzz; the FizzBuzz check now comes first.',
      delayMs: 400,
      chunkDelayMs: 20,
    },
  ],
};
