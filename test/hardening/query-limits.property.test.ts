import fc from 'fast-check';
import { parse, specifiedRules, validate, type GraphQLSchema } from 'graphql';
import { DEFAULT_QUERY_LIMITS, queryLimitRules } from '../../src/platform/limits/query-limits';
import { buildAppSchema } from '../../src/schema';

/**
 * Documents up to the token limit, built from fragments that spread later fragments (any number
 * of times), nested connections and aliases, are each judged (parsed and validated with every
 * rule the server runs) in well under 100 ms.
 */
let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildAppSchema();
});

const rules = [...specifiedRules, ...queryLimitRules(DEFAULT_QUERY_LIMITS)];

/** A selection on Query that may spread fragments numbered above `index`. */
const item = (index: number, count: number) =>
  fc.oneof(
    fc.integer({ min: index + 1, max: Math.max(index + 1, count) }).map((j) => (j < count ? `...F${j}` : 'viewer { scopes }')),
    fc.integer({ min: 0, max: 99 }).map((n) => `a${n}_${index}: viewer { organization { id name } }`),
    fc.tuple(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 100 })).map(
      ([a, b]) => `relationships(first: ${a}) { edges { node { id conversations(first: ${b}) { edges { node { id } } } } } }`,
    ),
    fc.constant('viewer { organization { timezone } role }'),
  );

const documentArb = fc.integer({ min: 1, max: 40 }).chain((count) =>
  fc
    .tuple(...Array.from({ length: count }, (_, i) => fc.array(item(i, count), { minLength: 1, maxLength: 6 })))
    .map((bodies) => ['{ ...F0 }', ...bodies.map((b, i) => `fragment F${i} on Query { ${b.join(' ')} }`)].join('\n')),
);

/**
 * Parses and validates `source`. The time is this process's CPU time (best of three), not the
 * wall clock: on a machine shared with other work, waiting for a core is not the judge's cost.
 */
function judge(source: string): { ms: number; outcome: string } {
  let best = Infinity;
  let outcome = '';
  for (let i = 0; i < 3; i++) {
    const started = process.cpuUsage();
    outcome = judgeOnce(source);
    const used = process.cpuUsage(started);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return { ms: best, outcome };
}

function judgeOnce(source: string): string {
  let outcome: string;
  try {
    const errors = validate(schema, parse(source, { maxTokens: DEFAULT_QUERY_LIMITS.maxTokens }), rules);
    outcome = errors.length ? String(errors[0].extensions.code ?? 'INVALID') : 'OK';
  } catch {
    outcome = 'TOO_MANY_TOKENS';
  }
  return outcome;
}

describe('judging any document within the token limit', () => {
  it('takes well under 100 ms, whatever its fragments, nesting and aliases', () => {
    const outcomes = new Map<string, number>();
    judge('{ ...F0 } fragment F0 on Query { viewer { scopes } }'); // warm up the rules once
    fc.assert(
      fc.property(documentArb, (source) => {
        const { ms, outcome } = judge(source);
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        return ms < 100;
      }),
      { numRuns: 200 },
    );
    // The generator reaches both sides of the limits, and past the token limit.
    expect(outcomes.get('OK')).toBeGreaterThan(0);
    expect(outcomes.get('QUERY_TOO_COMPLEX')).toBeGreaterThan(0);
  });

  it('judges the largest fragment bomb that fits in the token limit at once', () => {
    const depth = 95; // ~10 tokens a fragment: just under 1000 tokens
    const parts = ['{ ...F0 }'];
    for (let i = 0; i < depth; i++) parts.push(`fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
    parts.push(`fragment F${depth} on Query { viewer { scopes } }`);
    const { ms, outcome } = judge(parts.join('\n'));
    expect(outcome).toBe('QUERY_TOO_COMPLEX');
    expect(ms).toBeLessThan(100);
  });
});
