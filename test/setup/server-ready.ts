/**
 * Every file of the projects with the run's dev server waits for it to answer before its first
 * hook: globalSetup starts it without waiting, so that it comes up while the file loads.
 */
import { isServerUp } from '../../src/temporal/connection';
import { until } from '../helpers/poll';

const WAIT_MS = 60_000;

beforeAll(async () => {
  // Set by globalSetup; read here, not through the harness, which loads the worker.
  const address = process.env.ORCHESTRA_TEST_ADDRESS;
  if (!address) throw new Error('ORCHESTRA_TEST_ADDRESS is not set: globalSetup did not start a dev server');
  await until(
    () => isServerUp(address),
    Boolean,
    `the run's Temporal dev server (globalSetup) answering at ${address}`,
    WAIT_MS,
    100,
  );
}, WAIT_MS + 5_000);
