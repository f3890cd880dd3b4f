import { BadInputError } from '../../platform/errors';
import { CLOCK_SKEW_MS, planHistory, planStageChange } from './relationship-history';
import { RelationshipStage as S } from './relationship-stage';

const NOW = new Date('2026-06-01T12:00:00Z');
const at = (iso: string) => new Date(iso);

function field(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BadInputError);
    return (e as BadInputError).extensions.field as string;
  }
  throw new Error('no error');
}

describe('planHistory', () => {
  it('without dates begins now, in the given stage', () => {
    expect(planHistory({ stage: S.LEAD }, NOW)).toEqual({ connectedAt: null, stage: S.LEAD, changes: [{ from: null, to: S.LEAD, at: NOW }] });
  });

  it('starts CONNECTED at connectedAt, then follows the history', () => {
    const plan = planHistory({ connectedAt: at('2021-01-01T00:00:00Z'), stageHistory: [{ stage: S.LEAD, at: at('2022-01-01T00:00:00Z') }, { stage: S.CUSTOMER, at: at('2023-01-01T00:00:00Z') }] }, NOW);
    expect(plan).toEqual({
      connectedAt: at('2021-01-01T00:00:00Z'),
      stage: S.CUSTOMER,
      changes: [
        { from: null, to: S.CONNECTED, at: at('2021-01-01T00:00:00Z') },
        { from: S.CONNECTED, to: S.LEAD, at: at('2022-01-01T00:00:00Z') },
        { from: S.LEAD, to: S.CUSTOMER, at: at('2023-01-01T00:00:00Z') },
      ],
    });
  });

  it('begins in the first entry’s stage when it is at connectedAt', () => {
    const plan = planHistory({ connectedAt: at('2021-01-01T00:00:00Z'), stageHistory: [{ stage: S.ENGAGED, at: at('2021-01-01T00:00:00Z') }] }, NOW);
    expect(plan.changes).toEqual([{ from: null, to: S.ENGAGED, at: at('2021-01-01T00:00:00Z') }]);
  });

  it('counts a time within the clock skew as now', () => {
    const ahead = new Date(NOW.getTime() + CLOCK_SKEW_MS);
    expect(planHistory({ connectedAt: ahead }, NOW).connectedAt).toEqual(NOW);
  });

  it.each([
    [{ connectedAt: new Date(NOW.getTime() + CLOCK_SKEW_MS + 1) }, 'connectedAt'],
    [{ connectedAt: at('2021-01-01T00:00:00Z'), stageHistory: [{ stage: S.LEAD, at: at('2020-12-31T00:00:00Z') }] }, 'stageHistory[0].at'],
    [{ connectedAt: at('2021-01-01T00:00:00Z'), stageHistory: [{ stage: S.LEAD, at: at('2030-01-01T00:00:00Z') }] }, 'stageHistory[0].at'],
    [{ connectedAt: at('2021-01-01T00:00:00Z'), stageHistory: [{ stage: S.CONNECTED, at: at('2021-02-01T00:00:00Z') }] }, 'stageHistory[0].stage'],
    [
      { connectedAt: at('2021-01-01T00:00:00Z'), stageHistory: [{ stage: S.LEAD, at: at('2021-03-01T00:00:00Z') }, { stage: S.CUSTOMER, at: at('2021-02-01T00:00:00Z') }] },
      'stageHistory[1].at',
    ],
    [
      { connectedAt: at('2021-01-01T00:00:00Z'), stageHistory: [{ stage: S.CUSTOMER, at: at('2021-02-01T00:00:00Z') }, { stage: S.LEAD, at: at('2021-03-01T00:00:00Z') }] },
      'stageHistory[1].stage',
    ],
    [{ connectedAt: at('2021-01-01T00:00:00Z'), stage: S.LEAD, stageHistory: [{ stage: S.CUSTOMER, at: at('2021-02-01T00:00:00Z') }] }, 'stage'],
  ])('refuses %o naming %s', (input, name) => {
    expect(field(() => planHistory(input, NOW))).toBe(name);
  });
});

describe('planStageChange', () => {
  const last = at('2026-05-01T00:00:00Z');
  it('defaults to now and accepts the last change’s own time', () => {
    expect(planStageChange(null, last, NOW)).toEqual(NOW);
    expect(planStageChange(last, last, NOW)).toEqual(last);
  });
  it('refuses a time before the last change or in the future', () => {
    expect(field(() => planStageChange(at('2026-04-30T23:59:59Z'), last, NOW))).toBe('stageChangedAt');
    expect(field(() => planStageChange(at('2026-06-02T00:00:00Z'), last, NOW))).toBe('stageChangedAt');
  });
});
