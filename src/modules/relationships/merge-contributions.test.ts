import { contributionsOf, difference, mergedPart, type Part } from './merge-contributions';
import { RelationshipStage as S } from './relationship-stage';

const part = (id: string, communityId: string, connectedAt: number, changes: Array<[S, number]>, qualified = false): Part => ({
  id,
  communityId,
  connectedAt,
  qualified,
  changes: changes.map(([to, at], i) => ({ id: `${id}-${i}`, to, at })),
});

describe('merge contributions', () => {
  const a = part('a', 'c1', 100, [[S.CONNECTED, 100], [S.LEAD, 500]]);
  const b = part('b', 'c2', 50, [[S.CONNECTED, 50], [S.ENGAGED, 60], [S.CUSTOMER, 300], [S.ENGAGED, 400]], true);
  const c = part('c', 'c1', 200, [[S.OPPORTUNITY, 200]]);

  it('counts a relationship at connectedAt and each stage at its first reach, however it moves after', () => {
    expect(contributionsOf(b)).toEqual([
      { key: 'relationships', communityId: 'c2', at: 50, value: 1 },
      { key: 'qualified_relationships', communityId: 'c2', at: 50, value: 1 },
      { key: 'leads', communityId: 'c2', at: 300, value: 1 },
      { key: 'opportunities', communityId: 'c2', at: 300, value: 1 },
      { key: 'customers', communityId: 'c2', at: 300, value: 1 },
    ]);
  });

  it('merges to one person: earliest connectedAt, per stage the earliest reach of any part, in the target’s community', () => {
    const merged = mergedPart(a, [b, c]);
    expect(contributionsOf(merged)).toEqual([
      { key: 'relationships', communityId: 'c1', at: 50, value: 1 },
      { key: 'qualified_relationships', communityId: 'c1', at: 50, value: 1 },
      { key: 'leads', communityId: 'c1', at: 200, value: 1 },
      { key: 'opportunities', communityId: 'c1', at: 200, value: 1 },
      { key: 'customers', communityId: 'c1', at: 300, value: 1 },
    ]);
  });

  it('gives what a merge adds and takes away, zeros left out', () => {
    const before = [a, b, c].flatMap(contributionsOf);
    const after = contributionsOf(mergedPart(a, [b, c]));
    const delta = difference(before, after);
    const total = (key: string) => delta.filter((d) => d.key === key).reduce((s, d) => s + d.value, 0);
    expect(total('relationships')).toBe(-2);
    expect(total('leads')).toBe(-2);
    expect(total('customers')).toBe(0);
    expect(delta).toContainEqual({ key: 'leads', communityId: 'c1', at: 500, value: -1 });
    expect(delta).toContainEqual({ key: 'customers', communityId: 'c2', at: 300, value: -1 });
    expect(delta).toContainEqual({ key: 'customers', communityId: 'c1', at: 300, value: 1 });
    // c's OPPORTUNITY at 200 in c1 stays where it was: no point for it.
    expect(delta.find((d) => d.key === 'opportunities' && d.at === 200)).toBeUndefined();
    expect(delta.every((d) => d.value !== 0)).toBe(true);
  });
});
