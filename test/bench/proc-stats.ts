import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import type { ProcStats } from "./protocol.js";

let ticks: number | undefined;
function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** RSS now and at its peak (VmHWM), and user+system CPU seconds, of any process, from /proc. */
export function procStats(pid: number): ProcStats {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const cpu = (Number(fields[11]) + Number(fields[12])) / clockTicks();
  return { pid, rssMb: kb("VmRSS") / 1024, peakRssMb: kb("VmHWM") / 1024, cpuS: cpu };
}

export const selfStats = () => procStats(process.pid);
