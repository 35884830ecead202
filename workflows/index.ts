/** Every workflow the worker registers. */
export { agentWorkflow } from './agent/workflow';
export { parallelSwarm } from './swarm/parallel';
export { pipelineSwarm } from './swarm/pipeline';
export { debateSwarm } from './swarm/debate';
export { supervisorSwarm } from './swarm/supervisor';
export { graphSwarm } from './swarm/graph';
export { sessionWorkflow } from './session/workflow';
// A look at the answering worker's model-call limiter (`orchestra limits`).
export { limitsWorkflow } from './limits';
// The ledger runs on its own queue (workers/worker.ts); listed here too so one bundle replays every history.
export { costLedgerWorkflow } from './cost/ledger';
// Every signal, query and Update, for clients and tests that import the workflows.
export * from './protocol';
// Zones run on the ledgers' queue, which every worker polls (src/domain/queues.ts).
export { zonesWorkflow } from './zones/workflow';
