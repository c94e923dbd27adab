// Contention accounting on a shared machine (ported from the peer harness's sysload.py): how
// busy the machine was before a run, and how much CPU processes other than ours took during it.
import { readFileSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';

export const HZ = 100; // USER_HZ: 100 on every Linux we run on
export const NCPU = cpus().length;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Jiffies all cores spent not idle since boot. */
export function busyJiffies() {
  const v = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  return v.reduce((a, b) => a + b, 0) - v[3] - v[4];
}

/** utime+stime (+ reaped children) of `root` and all its live descendants. */
export function treeJiffies(root) {
  const procs = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      procs.set(+d, { ppid: +f[1], j: +f[11] + +f[12] + +f[13] + +f[14] });
    } catch { /* the process ended while we listed it */ }
  }
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const p = stack.pop();
    if (procs.has(p)) total += procs.get(p).j;
    for (const [c, { ppid }] of procs) if (ppid === p) stack.push(c);
  }
  return total;
}

/** Waits (up to maxWaitS) until the whole machine is below `thresh` busy over a 3 s window. */
export async function waitIdle(maxWaitS, thresh = 0.1, log = () => {}) {
  const t0 = Date.now();
  for (;;) {
    const b0 = busyJiffies();
    await sleep(3000);
    const frac = (busyJiffies() - b0) / HZ / 3 / NCPU;
    const waited = (Date.now() - t0) / 1000;
    if (frac < thresh || waited > maxWaitS) return { frac, waited };
    log(`  [waiting for an idle machine: ${(frac * 100).toFixed(0)}% busy]`);
  }
}
