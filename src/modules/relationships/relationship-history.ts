import { BadInputError } from '../../platform/errors.js';
import { RelationshipStage } from './relationship-stage.js';

/**
 * The rules of a relationship's history, in one place for the API and bulk imports:
 * - `connectedAt` (default now) is never in the future; up to CLOCK_SKEW_MS ahead counts as now,
 *   for clients whose clocks run ahead.
 * - `stageHistory` is oldest first; every `at` is at or after `connectedAt`, at or after the entry
 *   before it, and not in the future; every stage is later in the funnel than the one before it.
 *   The relationship is in CONNECTED at `connectedAt` unless the first entry is at `connectedAt`
 *   itself (then it began in that entry's stage). The last entry's stage is the relationship's stage.
 * - A later stage change (updateRelationship) happens at or after the last change, and not in the future.
 * Imports that write SQL mirror them: connected_at <= now(), changed_at >= connected_at and >= the
 * previous change, to_stage strictly later in FUNNEL than the previous to_stage.
 */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** The funnel, first stage first. */
export const FUNNEL: readonly RelationshipStage[] = Object.values(RelationshipStage);

/** Funnel rank of a stage, 1-based (CONNECTED = 1). */
export function stageRank(stage: RelationshipStage): number {
  return FUNNEL.indexOf(stage) + 1;
}

/** One entry of a stage history. */
export interface StageAt {
  stage: RelationshipStage;
  at: Date;
}

/** One stage change to write: the first (from null) is the relationship's start. */
export interface PlannedChange {
  from: RelationshipStage | null;
  to: RelationshipStage;
  at: Date;
}

/** A relationship's start and stage changes, validated. */
export interface PlannedHistory {
  /** Null: neither connectedAt nor a history was given, so it begins at the moment it is written. */
  connectedAt: Date | null;
  stage: RelationshipStage;
  /** With connectedAt null: the one change, whose `at` then stands for the moment it is written. */
  changes: PlannedChange[];
}

/** `at`, or now when it is at most CLOCK_SKEW_MS ahead; BAD_USER_INPUT naming `field` when further ahead. */
export function notInFuture(at: Date, now: Date, field: string): Date {
  if (at.getTime() > now.getTime() + CLOCK_SKEW_MS) throw new BadInputError(`${field} must not be in the future`, { field });
  return at.getTime() > now.getTime() ? now : at;
}

/**
 * Validates what a new relationship says about its past and returns the stage changes to record.
 * `stage` (optional) must agree with the last history entry when both are given.
 */
export function planHistory(
  input: { connectedAt?: Date | null; stageHistory?: readonly StageAt[] | null; stage?: RelationshipStage | null },
  now: Date,
): PlannedHistory {
  const connectedAt = notInFuture(input.connectedAt ?? now, now, 'connectedAt');
  const history = input.stageHistory ?? [];
  if (!history.length) {
    const stage = input.stage ?? RelationshipStage.CONNECTED;
    return { connectedAt: input.connectedAt ? connectedAt : null, stage, changes: [{ from: null, to: stage, at: connectedAt }] };
  }
  const changes: PlannedChange[] = [];
  if (history[0].at.getTime() !== connectedAt.getTime()) changes.push({ from: null, to: RelationshipStage.CONNECTED, at: connectedAt });
  history.forEach((entry, i) => {
    const field = `stageHistory[${i}]`;
    const at = notInFuture(entry.at, now, `${field}.at`);
    const previous = changes.at(-1);
    if (at.getTime() < connectedAt.getTime()) throw new BadInputError(`${field}.at must not be before connectedAt`, { field: `${field}.at`, index: i });
    if (previous && at.getTime() < previous.at.getTime()) {
      throw new BadInputError(`${field}.at must not be before the entry before it: stageHistory is oldest first`, { field: `${field}.at`, index: i });
    }
    if (previous && stageRank(entry.stage) <= stageRank(previous.to)) {
      throw new BadInputError(`${field}.stage must be later in the funnel than ${previous.to}`, { field: `${field}.stage`, index: i });
    }
    changes.push({ from: previous?.to ?? null, to: entry.stage, at });
  });
  const stage = changes.at(-1)!.to;
  if (input.stage != null && input.stage !== stage) {
    throw new BadInputError(`stage must be the last stage of stageHistory (${stage}) when both are given`, { field: 'stage' });
  }
  return { connectedAt, stage, changes };
}

/** When a stage change on update happens: `stageChangedAt` (default now), not in the future, not before `lastChangeAt`. */
export function planStageChange(stageChangedAt: Date | null | undefined, lastChangeAt: Date, now: Date): Date {
  const at = notInFuture(stageChangedAt ?? now, now, 'stageChangedAt');
  if (at.getTime() < lastChangeAt.getTime()) {
    throw new BadInputError(`stageChangedAt must not be before the last stage change (${lastChangeAt.toISOString()})`, { field: 'stageChangedAt' });
  }
  return at;
}
