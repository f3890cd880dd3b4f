import { GraphQLObjectType, GraphQLSchema, GraphQLString, parse, type ExecutionResult } from 'graphql';
import { subscribeShared } from './shared-execution';

/** A schema whose subscription field streams the given events and counts how often its value is resolved. */
function schemaOf(events: object[]) {
  const resolved = { n: 0 };
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        tick: {
          type: GraphQLString,
          subscribe: async function* () {
            yield* events;
          },
          resolve: (event: { name: string }) => {
            resolved.n++;
            return event.name;
          },
        },
      },
    }),
  });
  return { schema, resolved };
}

async function all(stream: AsyncIterable<ExecutionResult> | ExecutionResult): Promise<ExecutionResult[]> {
  const out: ExecutionResult[] = [];
  for await (const r of stream as AsyncIterable<ExecutionResult>) out.push(r);
  return out;
}

describe('subscribeShared', () => {
  const document = parse('subscription { tick }');

  it('executes an event once for every subscriber with the same share key, and apart for other keys', async () => {
    const events = [{ name: 'a' }, { name: 'b' }];
    const { schema, resolved } = schemaOf(events);
    const [x, y, z] = await Promise.all([
      all(await subscribeShared({ schema, document }, 'same')),
      all(await subscribeShared({ schema, document }, 'same')),
      all(await subscribeShared({ schema, document }, 'other')),
    ]);
    expect(x.map((r) => r.data)).toEqual([{ tick: 'a' }, { tick: 'b' }]);
    expect(y[0]).toBe(x[0]); // the very same result
    expect(z[0]).not.toBe(x[0]);
    expect(z.map((r) => r.data)).toEqual(x.map((r) => r.data));
    expect(resolved.n).toBe(4); // two events, two keys
  });

  it('executes every time without a share key', async () => {
    const { schema, resolved } = schemaOf([{ name: 'a' }]);
    await Promise.all([all(await subscribeShared({ schema, document }, null)), all(await subscribeShared({ schema, document }, null))]);
    expect(resolved.n).toBe(2);
  });

  it('returns the errors of a subscription that cannot start', async () => {
    const { schema } = schemaOf([]);
    const result = await subscribeShared({ schema, document: parse('subscription { nope }') }, 'k');
    expect((result as ExecutionResult).errors?.length).toBeGreaterThan(0);
  });
});
