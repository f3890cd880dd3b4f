import { measuredUntil, progressOf } from './goal-progress';

const goal = { id: 'g', target: 200, startsAt: new Date('2026-01-01T00:00:00Z'), endsAt: new Date('2026-01-11T00:00:00Z') };
const at = (iso: string) => new Date(iso);

describe('goal progress', () => {
  it('compares the ratio to the share of the period elapsed', () => {
    expect(progressOf(goal, 100, at('2026-01-06T00:00:00Z'))).toEqual({ goalId: 'g', current: 100, target: 200, ratio: 0.5, elapsed: 0.5, onTrack: true });
    expect(progressOf(goal, 99, at('2026-01-06T00:00:00Z')).onTrack).toBe(false);
    expect(progressOf(goal, 60, at('2026-01-03T00:00:00Z'))).toMatchObject({ ratio: 0.3, elapsed: 0.2, onTrack: true });
  });

  it('clamps the elapsed share to 0..1', () => {
    expect(progressOf(goal, 0, at('2025-12-01T00:00:00Z'))).toMatchObject({ elapsed: 0, onTrack: true });
    expect(progressOf(goal, 199, at('2026-02-01T00:00:00Z'))).toMatchObject({ elapsed: 1, onTrack: false });
    expect(progressOf(goal, 250, at('2026-02-01T00:00:00Z'))).toMatchObject({ ratio: 1.25, elapsed: 1, onTrack: true });
  });

  it('has no ratio for a zero target or a missing value', () => {
    expect(progressOf({ ...goal, target: 0 }, 5, at('2026-01-06T00:00:00Z'))).toMatchObject({ ratio: null, onTrack: true });
    expect(progressOf({ ...goal, target: 0 }, -1, at('2026-01-06T00:00:00Z'))).toMatchObject({ ratio: null, onTrack: false });
    expect(progressOf(goal, null, at('2026-01-06T00:00:00Z'))).toMatchObject({ current: null, ratio: null, onTrack: false });
  });

  it('measures from the start to now, never past the end', () => {
    expect(measuredUntil(goal, at('2026-01-05T00:00:00Z')).toISOString()).toBe('2026-01-05T00:00:00.000Z');
    expect(measuredUntil(goal, at('2026-03-01T00:00:00Z')).toISOString()).toBe('2026-01-11T00:00:00.000Z');
    expect(measuredUntil(goal, at('2025-01-01T00:00:00Z')).toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });
});
