import { LiveBudget } from './live-budget';

const names = { code: 'LIVE_TEST', keys: 'windows', weight: 'buckets' };
const budget = () => new LiveBudget({ keysPerTenant: 2, weightPerTenant: 10, keysPerNode: 3, weightPerNode: 14 }, names);
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as { extensions: Record<string, unknown> }).extensions;
  }
  throw new Error('not refused');
};

describe('LiveBudget', () => {
  it('refuses a new key past the tenant caps, never a key already held, and frees a key with its last holder', () => {
    const b = budget();
    const a1 = b.hold('a', 'k1', 4);
    const a2 = b.hold('a', 'k2', 4);
    expect(refusal(() => b.hold('a', 'k3', 1))).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'LIVE_TEST', max: 2 });
    const again = b.hold('a', 'k1', 4); // shared, not counted twice
    expect(b.usage('a')).toEqual({ keys: 2, weight: 8 });
    a1();
    a1(); // a second release is ignored
    expect(b.usage('a')).toEqual({ keys: 2, weight: 8 });
    again();
    expect(b.usage('a')).toEqual({ keys: 1, weight: 4 });
    expect(refusal(() => b.hold('a', 'k3', 7))).toMatchObject({ limit: 'LIVE_TEST', max: 10 });
    b.hold('a', 'k3', 6);
    a2();
    expect(b.usage()).toEqual({ keys: 1, weight: 6 });
  });

  it('caps the node, all tenants together', () => {
    const b = budget();
    b.hold('a', 'k1', 5);
    b.hold('b', 'k1', 5);
    expect(refusal(() => b.hold('c', 'k1', 5))).toMatchObject({ max: 14 });
    b.hold('c', 'k1', 4);
    expect(refusal(() => b.hold('d', 'k1', 0))).toMatchObject({ max: 3 });
  });
});
