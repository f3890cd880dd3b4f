import { channel } from 'node:diagnostics_channel';
import type { ImportPath } from './import-kind.js';

/** Milliseconds a finished import job spent in each phase: what the bench reads. */
export interface ImportPhases {
  jobId: string;
  /** Checking the staged rows (the careful fallback included). */
  checkMs: number;
  /** The bulk write (zero for a kind that writes while it checks). */
  writeMs: number;
  /** Reading back and building the coalesced events. */
  eventsMs: number;
  /** How the rows were written (zero rows written: the way the checks went). */
  path: ImportPath;
  /** Why a faster path refused the file (a line node could not vouch for, a key already there). */
  refused?: string;
}

/** Hears an ImportPhases per finished job; publishing costs nothing while nobody subscribes. */
export const importPhases = channel('rapport:import:phases');

/** Milliseconds since `t0` (from performance.now()). */
export function since(t0: number): number {
  return Math.round(performance.now() - t0);
}
