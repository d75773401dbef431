import { useEffect, useState } from "preact/hooks";

/** A counter that ticks every `ms` while the page is visible: a dependency that re-runs a query. */
export function useTick(ms: number): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => document.visibilityState === "visible" && setTick((t) => t + 1), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return tick;
}
