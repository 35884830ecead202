// Lint that guards the architecture: no floating promises anywhere; no Node built-ins in
// workflow or domain code (workflows run in Temporal's deterministic sandbox), and workflow
// code imports only what may run there.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeModules = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const nodeOnly = nodeModules.map((name) => ({
  name,
  message: 'Workflow and domain code must stay free of Node APIs.',
}));
/** Packages for clients, workers, activities and the API: never loaded in a workflow. */
const runsOutsideWorkflows = [
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '@temporalio/testing',
  '@anthropic-ai/sdk',
  'express',
  'commander',
  'pino',
].map((name) => ({ name, message: 'Runs outside workflows: workflow and domain code must not import it.' }));

/** For `files`: no Node APIs or Node-side packages, none of the `patterns`, no timers or `process`. */
function importRules(files, ...patterns) {
  return {
    files,
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: [...nodeOnly, ...runsOutsideWorkflows], patterns },
      ],
      'no-restricted-globals': ['error', 'process', 'setTimeout', 'setInterval'],
    },
  };
}

export default tseslint.config(
  // test/fixtures: code written as a team using the package would, checked by its own tests.
  {
    // test/fixtures/scene3d and agent-list are harness pages: browser code, linted as the dashboard.
    ignores: [
      ...['dist/**', 'node_modules/**', '.cache/**', '.orchestra/**', 'coverage/**'],
      ...['test/fixtures/*', '!test/fixtures/scene3d/', '!test/fixtures/agent-list/'],
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // The dashboard is browser code: its own tsconfig (DOM, JSX), and no Node APIs.
  {
    files: [
      'src/dashboard/**/*.{ts,tsx}',
      'test/fixtures/scene3d/**/*.{ts,tsx}',
      'test/fixtures/agent-list/**/*.{ts,tsx}',
    ],
    languageOptions: {
      parserOptions: {
        projectService: false,
        project: './tsconfig.dashboard.json',
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-restricted-imports': ['error', { paths: nodeOnly }],
      'no-restricted-globals': ['error', 'process', 'require', '__dirname'],
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' },
    },
  },
  // Workflow code imports by where code runs (as the SDK splits client, worker, workflow,
  // activity and common): src/domain and the workflow SDK, activities only as types.
  importRules(
    ['workflows/**/*.ts'],
    {
      group: ['**/activities', '**/activities/**'],
      allowTypeImports: true,
      message:
        'Workflows import activities only as types (`import type`) and run them through proxyActivities.',
    },
    {
      group: ['**/src/*', '!**/src/domain', '**/workers', '**/workers/**'],
      message:
        'Workflows import only src/domain from src/: client, worker, API, CLI and other Node-side code stays out.',
    },
    {
      regex: '/src/domain$',
      allowTypeImports: true,
      message:
        "Import src/domain's modules one by one (src/domain/agent, ...): the sandbox evaluates what a workflow imports once per workflow, and the barrel is all of them.",
    },
  ),
  // The CLI and the API act through the SDK (src/sdk/orchestra.ts), as a library user does:
  // the client layer's operations are not called around it.
  {
    files: ['src/cli/**/*.ts', 'src/api/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/temporal/*'],
              importNames: [
                ...['spawnAgent', 'agentStatus', 'agentEvents', 'agentTranscript', 'controlAgent'],
                ...['waitForAgent', 'listAgents', 'watchAgent', 'inFlight', 'sendControl'],
                ...['startSwarm', 'swarmStatus', 'swarmEvents', 'controlSwarm', 'listSwarms', 'waitForSwarm'],
                ...['createSession', 'sessionStatus', 'controlSession', 'listSessions'],
                ...['listApprovals', 'findApproval', 'answerApproval'],
                ...['createZone', 'renameZone', 'deleteZone', 'assignZoneAgents', 'listZones', 'findZone'],
                ...['workspaceZones', 'zoneOfAgent', 'agentPlaces', 'listChanges'],
              ],
              message: 'The CLI and the API act through the Orchestra SDK (src/sdk/orchestra.ts).',
            },
          ],
        },
      ],
    },
  },
  // src/domain is the common ground both sides import: no Node APIs, nothing outside it.
  importRules(['src/domain/**/*.ts'], {
    group: ['../*', '**/activities', '**/workflows', '**/workers'],
    message: 'src/domain imports nothing outside it: workflows, activities and clients all import it.',
  }),
);
