/** Topic of a tenant on which goal changes travel. */
export const GOAL_CHANGED = 'goal-changed';

/** Payload of `GOAL_CHANGED`: a goal was created, changed or deleted. */
export interface GoalChangedEvent {
  goalId: string;
  deleted: boolean;
}
