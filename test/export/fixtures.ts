// Shared export-test fixtures: one attack event as detection reports it.
import type { AttackEvent } from '../../src/domain/attack.js';

export const attack: AttackEvent = {
  attackId: 'a-1',
  kind: 'start',
  target: '203.0.113.5/32',
  direction: 'incoming',
  family: 'dns_amplification',
  reason: 'udpPps 80000 > 50000 | from port 53 = amplification',
  node: 'edge1',
  hostGroup: 'default',
  at: Date.UTC(2026, 11, 3, 9, 30, 0, 123),
  startedAt: Date.UTC(2026, 11, 3, 9, 30, 0, 0),
  pps: 80000.4,
  bps: 9.6e8,
  peakPps: 80000,
  peakBps: 9.6e8,
  severity: 4,
  signature: { protocols: [17], sourcePorts: [53], sourcePrefixes: ['198.51.100.0/24'], coverage: 0.97 },
};
