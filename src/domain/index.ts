export * from './attack.js';
export * from './rule.js';
export * from './audit.js';
export * from './events.js';
