/** Freezes an object to its leaves: data shared between many consumers (streams, reports) fails loudly when one changes it. */
export function deepFreeze<T extends object>(value: T): T {
  for (const v of Object.values(value)) if (typeof v === "object" && v !== null && !Object.isFrozen(v)) deepFreeze(v);
  return Object.freeze(value);
}
