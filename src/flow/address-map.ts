// Per-exporter settings keyed by address or prefix (node names, plausibility ceilings): longest prefix wins.
import { parsePrefix, PrefixTrie, tryParseIp } from '../net/index.js';

export class AddressMap<T> {
  private readonly trie = new PrefixTrie<T>();
  readonly size: number;

  /** Keys are addresses or prefixes (host bits may be set); an unparseable key throws NetParseError. */
  constructor(entries: Readonly<Record<string, T>> = {}) {
    let n = 0;
    for (const [k, v] of Object.entries(entries)) {
      this.trie.insert(parsePrefix(k, { strict: false }), v);
      n++;
    }
    this.size = n;
  }

  lookup(address: string): T | undefined {
    if (this.size === 0) return undefined;
    const ip = tryParseIp(address);
    return ip ? this.trie.lookup(ip)?.value : undefined;
  }
}
