/** Every workflow the worker registers. */
export { agentWorkflow } from './agent/workflow';
export * from './agent/definitions';
