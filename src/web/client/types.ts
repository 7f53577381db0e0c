// The API's JSON shapes, as the server declares them.
export type { AttackEvent, Signature } from '../../domain/attack.js';
export type { AuditRecord } from '../../domain/audit.js';
export type { OpsEvent } from '../../domain/events.js';
export type { Rule } from '../../domain/rule.js';
export type { AttackRecord } from '../../domain/store-port.js';
export type { TrafficSample } from '../../detect/detector.js';
export type { RateSample, RatesEvent } from '../wire.js';
