export * from './agent';
export * from './events';
export * from './messages';
export * from './signals';
export * from './status';
export * from './tools';
export * from './failures';
export * from './agent-state';
