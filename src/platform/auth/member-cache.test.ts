import { Role } from './scopes';
import { MemberCache } from './member-cache';

const ORG = '11111111-1111-4111-8111-111111111111';
const USER = '22222222-2222-4222-8222-222222222222';
const member = { role: Role.VIEWER, email: 'v@example.com' };

describe('MemberCache', () => {
  it('holds what it was given until it is forgotten', () => {
    const cache = new MemberCache();
    cache.set(ORG, USER, member, cache.begin());
    expect(cache.get(ORG, USER)).toMatchObject(member);
    expect(cache.get(ORG, '33333333-3333-4333-8333-333333333333')).toBeUndefined();
    cache.forget(ORG, USER);
    expect(cache.get(ORG, USER)).toBeUndefined();
  });

  it('does not store a read that began before an invalidation', () => {
    const cache = new MemberCache();
    const epoch = cache.begin();
    cache.forget(ORG, USER);
    cache.set(ORG, USER, member, epoch);
    expect(cache.get(ORG, USER)).toBeUndefined();
    const cleared = cache.begin();
    cache.clear();
    cache.set(ORG, USER, member, cleared);
    expect(cache.size).toBe(0);
  });

  it('expires entries and keeps at most maxEntries', () => {
    const cache = new MemberCache({ ttlMs: -1, maxEntries: 2 });
    cache.set(ORG, USER, member, cache.begin());
    expect(cache.get(ORG, USER)).toBeUndefined();
    const bounded = new MemberCache({ maxEntries: 2 });
    for (const u of ['a', 'b', 'c']) bounded.set(ORG, u, member, bounded.begin());
    expect(bounded.size).toBe(2);
    expect(bounded.get(ORG, 'a')).toBeUndefined();
    expect(bounded.get(ORG, 'c')).toMatchObject(member);
  });
});
