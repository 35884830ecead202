/** Each test file reports its CPU (ORCHESTRA_TEST_CPU_REPORT); a shard reports each of its suites instead. */
import { reportCpu } from '../helpers/cpu-report';

const testPath = expect.getState().testPath ?? '';
if (!testPath.includes('/shards/')) reportCpu(testPath.split('/').pop()?.replace('.test.ts', '') ?? testPath);
