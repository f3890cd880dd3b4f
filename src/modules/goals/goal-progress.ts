/** How far a goal is (the GraphQL type is GoalProgress in goal-progress.type.ts). */
export interface GoalProgressValue {
  goalId: string;
  current: number | null;
  target: number;
  ratio: number | null;
  elapsed: number;
  onTrack: boolean;
}

/** The end of a goal's measured window at `now`: now, but never past the end (nor before the start). */
export function measuredUntil(goal: { startsAt: Date; endsAt: Date }, now: Date): Date {
  return new Date(Math.max(goal.startsAt.getTime(), Math.min(now.getTime(), goal.endsAt.getTime())));
}

/** A goal's progress from its current value at `now`. */
export function progressOf(goal: { id: string; target: number; startsAt: Date; endsAt: Date }, current: number | null, now: Date): GoalProgressValue {
  const span = goal.endsAt.getTime() - goal.startsAt.getTime();
  const elapsed = Math.min(1, Math.max(0, (now.getTime() - goal.startsAt.getTime()) / span));
  const ratio = current !== null && goal.target !== 0 ? current / goal.target : null;
  const onTrack = goal.target === 0 ? (current ?? 0) >= 0 : (ratio ?? 0) >= elapsed;
  return { goalId: goal.id, current, target: goal.target, ratio, elapsed, onTrack };
}
