/** Every workflow the worker registers. */
export { agentWorkflow } from './agent/workflow';
export { parallelSwarm } from './swarm/parallel';
export { pipelineSwarm } from './swarm/pipeline';
export { debateSwarm } from './swarm/debate';
export { supervisorSwarm } from './swarm/supervisor';
export * from './agent/definitions';
export { swarmStatusQuery, usageSignal } from './swarm/definitions';
export { sessionWorkflow } from './session/workflow';
// The ledger runs on its own queue (workers/worker.ts); listed here too so one bundle replays every history.
export { costLedgerWorkflow } from './cost/ledger';
export { chargeUpdate, ledgerQuery } from './cost/definitions';
// Zones run on the ledgers' queue, which every worker polls (src/domain/queues.ts).
export { zonesWorkflow } from './zones/workflow';
export * from './zones/definitions';
