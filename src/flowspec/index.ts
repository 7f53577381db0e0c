// floodgate FlowSpec: the match/action network types, their wire codec (RFC 8955, RFC 8956), the one
// text grammar, the validator with reason codes and the builders the engine uses.
export * from './types.js';
export * from './errors.js';
export * from './components.js';
export * from './prefix.js';
export * from './rd.js';
export * from './nlri.js';
export * from './actions.js';
export * from './text.js';
export * from './validate.js';
export * from './schema.js';
export * from './builders.js';
