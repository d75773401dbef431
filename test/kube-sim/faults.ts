// Fault injection: latency, error responses, dropped connections, watches that end early; per path or global.
export interface FaultRule {
  /** path prefix (string) or pattern; omitted = every request */
  path?: string | RegExp;
  /** HTTP method; omitted = any */
  method?: string;
  /** only requests that are (or are not) watches */
  watch?: boolean;
  latencyMs?: number;
  /** 0..1: share of matching requests answered with errorStatus */
  errorRate?: number;
  errorStatus?: 429 | 500 | 503;
  /** 0..1: share of matching requests whose connection is destroyed without an answer */
  dropRate?: number;
  /** watches end (cleanly) this long after they start */
  watchEndAfterMs?: number;
  /** the rule removes itself after affecting this many requests */
  times?: number;
}

export interface FaultDecision { latencyMs: number; error?: 429 | 500 | 503; drop: boolean; watchEndAfterMs?: number }

export class Faults {
  private rules = new Map<string, FaultRule & { left?: number }>();
  private seq = 0;

  /** adds a rule and returns its id */
  add(rule: FaultRule): string {
    const id = `fault-${++this.seq}`;
    this.rules.set(id, { ...rule, left: rule.times });
    return id;
  }
  /** sets the single global rule (replacing an earlier one); undefined clears it */
  setGlobal(rule: Omit<FaultRule, "path"> | undefined): void {
    this.rules.delete("global");
    if (rule) this.rules.set("global", { ...rule, left: rule.times });
  }
  remove(id: string): void {
    this.rules.delete(id);
  }
  clear(): void {
    this.rules.clear();
  }
  list(): Array<FaultRule & { id: string }> {
    return [...this.rules.entries()].map(([id, r]) => ({ id, ...r }));
  }

  decide(method: string, path: string, isWatch: boolean): FaultDecision {
    const d: FaultDecision = { latencyMs: 0, drop: false };
    for (const [id, r] of this.rules) {
      if (r.method && r.method.toUpperCase() !== method) continue;
      if (r.watch !== undefined && r.watch !== isWatch) continue;
      if (r.path !== undefined && !(typeof r.path === "string" ? path.startsWith(r.path) : r.path.test(path))) continue;
      let hit = false;
      if (r.latencyMs) { d.latencyMs += r.latencyMs; hit = true; }
      if (!d.error && !d.drop && r.dropRate && Math.random() < r.dropRate) { d.drop = true; hit = true; }
      if (!d.error && !d.drop && r.errorRate && Math.random() < r.errorRate) { d.error = r.errorStatus ?? 503; hit = true; }
      if (isWatch && r.watchEndAfterMs !== undefined) {
        d.watchEndAfterMs = Math.min(d.watchEndAfterMs ?? Infinity, r.watchEndAfterMs);
        hit = true;
      }
      if (hit && r.left !== undefined && --r.left <= 0) this.rules.delete(id);
    }
    return d;
  }
}
