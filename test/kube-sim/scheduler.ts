// One lazily armed timer per cluster drives every delayed status change; nothing runs while the queue is empty.
interface Task { at: number; fn: () => void }

export class Scheduler {
  private q: Task[] = [];
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;
  private closed = false;

  after(ms: number, fn: () => void): void {
    if (this.closed) return;
    const at = Date.now() + Math.max(0, ms);
    let i = this.q.length;
    while (i > 0 && this.q[i - 1]!.at > at) i--;
    this.q.splice(i, 0, { at, fn });
    this.arm();
  }

  private arm(): void {
    const next = this.q[0];
    if (!next || next.at >= this.armedFor) return;
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = next.at;
    this.timer = setTimeout(() => this.fire(), Math.max(0, next.at - Date.now()));
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = Date.now();
    while (this.q.length && this.q[0]!.at <= now) {
      const t = this.q.shift()!;
      try { t.fn(); } catch (err) { console.error("kube-sim: scheduled task failed", err); }
    }
    this.arm();
  }

  get pending(): number {
    return this.q.length;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.q = [];
  }
}
