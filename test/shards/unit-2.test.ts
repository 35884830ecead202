import { runShard } from './run-shard';

runShard('unit', 2);
