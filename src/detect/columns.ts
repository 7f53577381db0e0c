// Struct-of-arrays columns (counter sets, bucket aggregates, a bucket's rows, row parts, a signature's
// selection, the policy tables) grow by copying into a larger typed array of the same kind; this is the one
// copy they all use.

export type Column = Int32Array | Uint32Array | Uint16Array | Uint8Array | Float64Array | Float32Array;

/**
 * A new column of `cap` elements of `kind` holding the first n elements of `old` (none when absent); the
 * rest is `fill` (default 0).
 */
export function grownColumn<T extends Column>(
  old: T | undefined,
  kind: new (length: number) => T,
  cap: number,
  n: number,
  fill = 0,
): T {
  const a = new kind(cap);
  if (fill !== 0) a.fill(fill);
  if (old) a.set(old.subarray(0, n) as never);
  return a;
}
