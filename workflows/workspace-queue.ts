/**
 * The workflows of the queue every worker polls whatever its own (LEDGER_QUEUE): a workspace's
 * day ledgers and its zones store. Each must outlive the queue of the agents that use it.
 */
export { costLedgerWorkflow } from './cost/ledger';
export { zonesWorkflow } from './zones/workflow';
