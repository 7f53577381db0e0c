// floodgate core network values: addresses, prefixes, the LPM trie and the special-purpose registries.

export * from './address.js';
export * from './prefix.js';
export * from './trie.js';
export * from './special.js';
export * from './schema.js';
