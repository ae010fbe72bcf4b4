/** Splits `items` into consecutive slices of at most `size` (the CRM's batch limit). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size ${size} < 1`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Splits writes into rounds so that no round holds the same key twice: the n-th occurrence of a
 * key goes to round n. Rounds must run one after the other, so the later write to a record is
 * also applied later. Items without a key (creates) all go to the first round.
 */
export function roundsByKey<T>(items: readonly T[], keyOf: (item: T) => string | null): T[][] {
  const rounds: T[][] = [];
  const seen = new Map<string, number>();
  for (const item of items) {
    const key = keyOf(item);
    const round = key === null ? 0 : (seen.get(key) ?? 0);
    if (key !== null) seen.set(key, round + 1);
    (rounds[round] ??= []).push(item);
  }
  return rounds;
}
