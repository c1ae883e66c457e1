import { spawnSync } from 'node:child_process';

export interface Timed {
  wallS: number;
  rssMB: number;
  status: number | null;
}

/** Runs a command under GNU time and reads its wall time and peak RSS. */
export function timed(cmd: string, args: string[], cwd: string): Timed {
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const err = r.stderr ?? '';
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\):\s*(?:(\d+):)?(\d+):([\d.]+)/.exec(err);
  const wallS = wall ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]) : NaN;
  const rss = /Maximum resident set size \(kbytes\):\s*(\d+)/.exec(err);
  return { wallS, rssMB: rss ? Number(rss[1]) / 1024 : NaN, status: r.status };
}
