import { runShard } from './run-shard';

runShard('integration', 4);
