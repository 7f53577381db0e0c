// What FRRouting 8.x can carry for floodgate (docs/adapters.md matrix): RTBH over BGP, drops via pbrd.
import type { AdapterCapabilities } from '../../domain/adapter-port.js';

export const FRR_CAPABILITIES: AdapterCapabilities & {
  readonly components: readonly number[];
  readonly selectivePeers: boolean;
} = {
  families: [4, 6],
  intents: ['blackhole', 'drop'],
  // pbr-map: dst/src prefix, tcp|udp, one dst/src port, DSCP
  components: [1, 2, 3, 5, 6, 11],
  selectivePeers: false,
};
