/** Exponential backoff with full jitter; reset() after a success. */
export function createBackoff(baseMs: number, maxMs: number, random: () => number = Math.random) {
  let attempt = 0;
  return {
    next(): number {
      const cap = Math.min(maxMs, baseMs * 2 ** attempt);
      attempt = Math.min(attempt + 1, 30);
      return Math.round(cap / 2 + (random() * cap) / 2);
    },
    reset(): void {
      attempt = 0;
    },
  };
}
