// A socket that could not be bound, named as the config names it (flow.listeners[i], api, bgp.listen),
// with the system's reason and, for the usual causes, what to do: "address already in use" alone does not
// tell an operator which of floodgate's listeners it was, nor who holds the port.

export function bindError(
  err: unknown,
  /** The config key of the listener, e.g. `flow.listeners[1]`. */
  what: string,
  transport: 'UDP' | 'TCP',
  address: string,
  port: number,
): Error {
  const reason = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | undefined)?.code;
  const ss = transport === 'UDP' ? 'ss -ulpn' : 'ss -tlpn';
  const hint =
    code === 'EADDRINUSE' || /address already in use/i.test(reason)
      ? `: another process holds ${transport} port ${port} there (a second floodgate? \`${ss} 'sport = :${port}'\` names it)`
      : code === 'EACCES' || /permission denied/i.test(reason)
        ? ': ports below 1024 need root or CAP_NET_BIND_SERVICE'
        : code === 'EADDRNOTAVAIL' || /cannot assign requested address/i.test(reason)
          ? `: ${address} is not an address of this machine`
          : '';
  const shown = address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
  const e = new Error(`${what} (${transport} ${shown}) cannot be bound: ${reason}${hint}`, { cause: err });
  if (typeof code === 'string') (e as Error & { code?: string }).code = code;
  return e;
}
