import { readdirSync, readFileSync } from 'node:fs';
import { readCommandSync } from './command.js';

let ticksPerSecond: number | undefined;

/** USER_HZ, the unit of utime/stime in /proc/PID/stat (100 on every common build). */
export function clockTicksPerSecond(): number {
  ticksPerSecond ??= Number(readCommandSync(['getconf', 'CLK_TCK']).trim()) || 100;
  return ticksPerSecond;
}

/**
 * utime + stime of one process (all its threads) in clock ticks, from /proc/PID/stat;
 * 0 for a process that is gone. The command name may contain spaces and parentheses, so
 * fields are counted after the last ')'.
 */
export function processCpuTicks(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  // After ") ": state(3) ppid(4) … utime(14) stime(15), so utime is the 12th field here.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
}

/**
 * CPU time of one process (all its threads) in nanoseconds from the schedstat file of each of /proc/PID/task,
 * whose first field is time on a CPU in ns: far finer than the 10 ms ticks of
 * /proc/PID/stat, which round a daemon idling at 100 ms intervals down to zero. Falls back
 * to the ticks where schedstat is missing; 0 for a process that is gone.
 */
export function processCpuNs(pid: number): number {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  let total = 0;
  for (const task of tasks) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      return (processCpuTicks(pid) / clockTicksPerSecond()) * 1e9;
    }
  }
  return total;
}

/** Every pid in a namespace (keepalived's parent and VRRP child alike). */
export function pidsInNetns(netns: string): number[] {
  return readCommandSync(['ip', 'netns', 'pids', netns])
    .split(/\s+/)
    .filter((p) => /^\d+$/.test(p))
    .map(Number);
}

/**
 * CPU seconds per minute a set of processes used while `durationMs` passed: the pids are
 * listed at the start (`listPids`), sampled before and after (schedstat, ns).
 */
export async function cpuSecondsPerMinute(
  listPids: () => readonly number[],
  durationMs: number,
): Promise<number> {
  const pids = listPids();
  const before = pids.reduce((sum, pid) => sum + processCpuNs(pid), 0);
  const startedAt = performance.now();
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  const after = pids.reduce((sum, pid) => sum + processCpuNs(pid), 0);
  const elapsedMinutes = (performance.now() - startedAt) / 60_000;
  return (after - before) / 1e9 / elapsedMinutes;
}
