import v8 from "node:v8";

export interface HeapTuning {
  /** The young generation (new space) in MB, about: 0 leaves Node's default (up to 32 MB). */
  youngGenerationMb: number;
  /** How far the old generation may grow past what the last full GC kept, in percent: 0 leaves V8's own factor (10% to 300%). */
  heapGrowingPercent: number;
}

/**
 * Bounds the hub's V8 heap without node flags (the hub runs as `node bin/gitfleet-hub.js`, from npm
 * and in images alike) through the two V8 flags that V8 reads each time it resizes, so they work when
 * set at run time. A fleet's bursts (a thousand status reports, bundle fetches) otherwise let V8 keep
 * a 32 MB young generation and an old generation up to four times what is live, all of it resident.
 * The young generation grows by --semi-space-growth-factor at a scavenge: set to 1 (no growth) once it
 * reached the cap, checked every second, so it overshoots by one growth at most; it keeps checking
 * because V8 shrinks the young generation when idle and it may then grow back to the cap. A check
 * costs ~3 µs (getHeapSpaceStatistics, measured at load average 24): ~0.3 s of CPU a day. Returns a stop function.
 */
export function tuneHeap(t: HeapTuning, everyMs = 1000): () => void {
  if (t.heapGrowingPercent > 0) v8.setFlagsFromString(`--heap-growing-percent=${t.heapGrowingPercent}`);
  if (t.youngGenerationMb <= 0) return () => undefined;
  let growing: boolean | undefined;
  const check = () => {
    const size = v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space")?.space_size ?? 0;
    const grow = size < t.youngGenerationMb * 1024 * 1024;
    if (grow === growing) return;
    growing = grow;
    // 2 is V8's default factor.
    v8.setFlagsFromString(`--semi-space-growth-factor=${grow ? 2 : 1}`);
  };
  check();
  const timer = setInterval(check, everyMs).unref();
  return () => clearInterval(timer);
}
