import { conversationWeight, relationshipStrength, STRENGTH } from './strength';

const NOW = new Date('2026-06-01T00:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);

describe('relationship strength', () => {
  it('is 0 without conversations', () => {
    expect(relationshipStrength([], NOW)).toBe(0);
  });

  it('weighs qualified conversations double and positive sentiment up to double again', () => {
    expect(conversationWeight({ qualified: false, sentiment: null })).toBe(1);
    expect(conversationWeight({ qualified: true, sentiment: null })).toBe(2);
    expect(conversationWeight({ qualified: true, sentiment: 1 })).toBe(4);
    expect(conversationWeight({ qualified: false, sentiment: 0.5 })).toBe(1.5);
  });

  it('does not let negative sentiment weigh below a neutral conversation', () => {
    expect(conversationWeight({ qualified: false, sentiment: -1 })).toBe(1);
  });

  it('maps the summed weight through 1 - exp(-raw / 5)', () => {
    const one = relationshipStrength([{ occurredAt: NOW, qualified: false, sentiment: null }], NOW);
    expect(one).toBeCloseTo(1 - Math.exp(-1 / 5), 12);
    const five = relationshipStrength(Array(5).fill({ occurredAt: NOW, qualified: false, sentiment: 0 }), NOW);
    expect(five).toBeCloseTo(1 - Math.exp(-1), 12);
  });

  it('decays by 0.9 per month of 30.4375 days, fractional months included', () => {
    const raw = (s: number) => -Math.log(1 - s) * STRENGTH.saturation;
    const month = relationshipStrength([{ occurredAt: daysAgo(30.4375), qualified: false, sentiment: null }], NOW);
    expect(raw(month)).toBeCloseTo(0.9, 10);
    const half = relationshipStrength([{ occurredAt: daysAgo(30.4375 / 2), qualified: true, sentiment: null }], NOW);
    expect(raw(half)).toBeCloseTo(2 * Math.sqrt(0.9), 10);
    const year = relationshipStrength([{ occurredAt: daysAgo(365.25), qualified: false, sentiment: null }], NOW);
    expect(raw(year)).toBeCloseTo(0.9 ** 12, 10);
  });

  it('counts a future conversation as happening now', () => {
    const future = relationshipStrength([{ occurredAt: daysAgo(-100), qualified: false, sentiment: null }], NOW);
    expect(future).toBeCloseTo(1 - Math.exp(-1 / 5), 12);
  });

  it('stays within 0..1 and grows with every conversation', () => {
    const many = Array.from({ length: 500 }, (_, i) => ({ occurredAt: daysAgo(i), qualified: true, sentiment: 1 }));
    const s = relationshipStrength(many, NOW);
    expect(s).toBeGreaterThan(0.99);
    expect(s).toBeLessThanOrEqual(1);
    expect(relationshipStrength(many.slice(0, 10), NOW)).toBeLessThan(s);
  });
});
