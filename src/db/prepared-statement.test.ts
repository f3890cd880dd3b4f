import type * as Prepared from './prepared-statement';

/** A fresh copy of the module: its registry of declared names starts empty. */
function fresh(): typeof Prepared {
  let mod: typeof Prepared | undefined;
  jest.isolateModules(() => {
    mod = jest.requireActual<typeof Prepared>('./prepared-statement');
  });
  return mod!;
}

describe('preparedStatement', () => {
  it('declares a name once; the same name and text again is the same statement', () => {
    const { preparedStatement } = fresh();
    const s = preparedStatement('test.one', 'SELECT 1');
    expect(s).toMatchObject({ name: 'test.one', text: 'SELECT 1' });
    expect(preparedStatement('test.one', 'SELECT 1')).toEqual(s);
  });

  it('refuses a name given again for another text (node-postgres would refuse it on a connection that parsed the first)', () => {
    const { preparedStatement } = fresh();
    preparedStatement('test.one', 'SELECT 1');
    expect(() => preparedStatement('test.one', 'SELECT 2')).toThrow(/declared twice with different texts/);
  });

  it('takes only dotted lower-case names', () => {
    const { preparedStatement } = fresh();
    for (const bad of ['', 'one', 'Test.one', 'test.', 'test one.x', 'test.one;drop']) {
      expect(() => preparedStatement(bad, 'SELECT 1')).toThrow(/dotted lower-case/);
    }
  });

  it('stops at MAX_PREPARED_STATEMENTS names, so a text built at run time cannot grow every connection', () => {
    const { preparedStatement, MAX_PREPARED_STATEMENTS } = fresh();
    for (let i = 0; i < MAX_PREPARED_STATEMENTS; i++) preparedStatement(`test.s${i}`, `SELECT ${i}`);
    expect(() => preparedStatement('test.one_more', 'SELECT 1')).toThrow(/more than/);
    expect(preparedStatement('test.s0', 'SELECT 0').name).toBe('test.s0');
  });

  it('is made only by preparedStatement', () => {
    const { PreparedStatement } = fresh();
    const Made = PreparedStatement as unknown as new (token: symbol, name: string, text: string) => unknown;
    expect(() => new Made(Symbol('declared by preparedStatement'), 'test.x', 'SELECT 1')).toThrow(/only by preparedStatement/);
  });
});

describe('the statements the application declares', () => {
  it('are the hot constant ones, well under the bound', () => {
    jest.isolateModules(() => {
      const prepared = jest.requireActual<typeof Prepared>('./prepared-statement');
      jest.requireActual('../modules/metrics/ingest.service');
      jest.requireActual('../modules/goals/goal-reached');
      jest.requireActual('../platform/audit');
      jest.requireActual('../platform/auth/authenticator');
      const names = prepared.declaredStatementNames();
      expect(names).toEqual(
        expect.arrayContaining([
          'metrics.insert_points',
          'metrics.look_up_batch',
          'webhooks.emit_events',
          'goals.open_goals_of',
          'audit.insert_event',
          'auth.member',
          'auth.api_key_by_prefix',
          'auth.widget_token_by_prefix',
        ]),
      );
      expect(names.length).toBeLessThanOrEqual(prepared.MAX_PREPARED_STATEMENTS / 2);
    });
  });
});
