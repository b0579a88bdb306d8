// Memory, from /proc (bench/streaming.mjs, memory.mjs, soak.mjs, scale.mjs): RSS and PSS of a process
// and of its tree, and when a tree is steady.
import { readFileSync, writeFileSync } from 'node:fs';
import { median, sleep } from './lib.mjs';
import { descendantPids } from './processes.mjs';

export const MiB = 1024 * 1024;

/** A `kB` field of /proc/<pid>/status (VmRSS, VmHWM, …) in bytes; null once the process is gone or off Linux. */
export function procStatusBytes(pid, field = 'VmRSS') {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Resets the peak RSS (VmHWM) of a process to its current RSS (`5 > clear_refs`, Linux ≥ 4.0); false if refused. */
export function resetPeakRss(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** The summed RSS of a process and all its descendants: `{ bytes, pids }` (the processes counted). */
export function treeRss(rootPid) {
  let bytes = 0;
  const pids = [];
  for (const pid of [rootPid, ...descendantPids(rootPid)]) {
    const rss = procStatusBytes(pid);
    if (rss === null) continue;
    bytes += rss;
    pids.push(pid);
  }
  return { bytes, pids };
}

/**
 * A process's PSS in bytes (the `Pss:` line of /proc/<pid>/smaps_rollup, Linux ≥ 4.14); null once it is
 * gone or off Linux. PSS counts a page shared by N processes as 1/N in each — machine-wide, so node's
 * ~34 MiB of code pages, shared by every node process running (the bench's own included), weigh less the
 * more there are — where RSS counts it whole in each: summed over a tree, PSS counts shared pages once.
 */
export function procPssBytes(pid) {
  try {
    const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** The summed PSS of `pids` (see procPssBytes), or null when one could not be read. */
export function sumPss(pids) {
  let bytes = 0;
  for (const pid of pids) {
    const pss = procPssBytes(pid);
    if (pss === null) return null;
    bytes += pss;
  }
  return bytes;
}

/** When a process tree counts as steady (steadyMemory). */
export const STEADY = { everyMs: 250, readings: 4, spread: MiB, timeoutMs: 15_000 };

const medianOrNull = (values) => (values.includes(null) ? null : median(values));

/**
 * The tree's memory once it is steady: the same processes and an RSS within 1 MiB over 4 readings 250 ms
 * apart (15 s at most). `{ tree, treePss, supervisor, supervisorPss, processes }`: the medians of those
 * readings of the tree's summed RSS and PSS, and of the root process's (the supervisor's) own; a PSS is
 * null where smaps_rollup could not be read.
 */
export async function steadyMemory(rootPid) {
  const readings = [];
  const began = performance.now();
  for (;;) {
    const { bytes, pids } = treeRss(rootPid);
    readings.push({
      bytes,
      pss: sumPss(pids),
      supervisor: procStatusBytes(rootPid),
      supervisorPss: procPssBytes(rootPid),
      pids: pids.sort().join(' '),
      processes: pids.length,
    });
    const last = readings.slice(-STEADY.readings);
    const steady = last.length === STEADY.readings && last.every((r) => r.pids === last[0].pids) &&
      Math.max(...last.map((r) => r.bytes)) - Math.min(...last.map((r) => r.bytes)) <= STEADY.spread;
    if (steady || performance.now() - began > STEADY.timeoutMs) {
      return {
        tree: median(last.map((r) => r.bytes)),
        treePss: medianOrNull(last.map((r) => r.pss)),
        supervisor: median(last.map((r) => r.supervisor)),
        supervisorPss: medianOrNull(last.map((r) => r.supervisorPss)),
        processes: last.at(-1).processes,
        steady,
      };
    }
    await sleep(STEADY.everyMs);
  }
}

/**
 * Calls `measure()` (a number, or null to skip) every `intervalMs` until stop(), which returns
 * `{ samples: [{ t, value }], max }` (t: ms since the start).
 */
export function sampleEvery(intervalMs, measure) {
  const started = performance.now();
  const samples = [];
  const take = () => {
    const value = measure();
    if (value !== null) samples.push({ t: performance.now() - started, value });
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return { samples, max: Math.max(...samples.map((s) => s.value)) };
    },
  };
}

/** Bytes as MiB (`digits` decimals), or '–' for null (a figure that could not be read). */
export const formatMiB = (bytes, digits = 1) => (bytes === null ? '–' : (bytes / MiB).toFixed(digits));

/** Bytes as MiB with one decimal, a number for the JSON results; null stays null. */
export const mibNumber = (bytes) => (bytes === null ? null : +formatMiB(bytes));
