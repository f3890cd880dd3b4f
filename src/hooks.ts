import { registerGoalReachedHook } from './modules/goals/goal-reached.js';

/** Every feature's work inside another feature's writes (platform/write-hooks.ts); a feature adds its own here. */
export function registerWriteHooks(): void {
  registerGoalReachedHook();
}
