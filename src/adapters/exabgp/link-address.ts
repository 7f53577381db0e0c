// Address of the link between the ExaBGP adapter and `floodgate exabgp-api`: "unix:/path/to.sock" or
// "tcp:127.0.0.1:PORT" (loopback only: the link carries routing commands without authentication).
export type LinkAddress =
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

export function parseLinkAddress(text: string): LinkAddress {
  if (text.startsWith('unix:')) {
    const path = text.slice(5);
    if (!path) throw new Error(`link address "${text}": empty socket path`);
    return { kind: 'unix', path };
  }
  const m = /^tcp:(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text);
  if (m) {
    const host = (m[1] as string).replace(/^\[|\]$/g, '');
    const port = Number(m[2]);
    if (port > 65535) throw new Error(`link address "${text}": port out of range`);
    if (!(host === '::1' || host === 'localhost' || /^127\./.test(host))) {
      throw new Error(`link address "${text}": tcp links must stay on loopback`);
    }
    return { kind: 'tcp', host, port };
  }
  throw new Error(`link address "${text}" is neither unix:PATH nor tcp:HOST:PORT`);
}

export function formatLinkAddress(a: LinkAddress): string {
  return a.kind === 'unix'
    ? `unix:${a.path}`
    : `tcp:${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
}

/** First line `floodgate exabgp-api` sends after connecting. */
export const HELLO = '#floodgate-exabgp-api 1';
