// What ExaBGP 4.2 can carry for floodgate (docs/adapters.md matrix).
import type { AdapterCapabilities } from '../../domain/adapter-port.js';
import { ROUTED_INTENTS } from '../daemons-common/rule-kind.js';

export const EXABGP_CAPABILITIES: AdapterCapabilities & {
  readonly components: readonly number[];
  readonly selectivePeers: boolean;
} = {
  families: [4, 6],
  intents: ROUTED_INTENTS,
  // RFC 8955 types 1-12, RFC 8956 type 13
  components: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
  selectivePeers: true,
};
