import { createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult } from 'graphql';

type Result = ExecutionResult | Promise<ExecutionResult>;

/** Results already computed for an event, by the subscription's share key. Dropped with the event. */
const byEvent = new WeakMap<object, Map<string, Result>>();

/**
 * The subscription side of `graphql.subscribe`, except that the subscribers of one event who sent
 * the same operation (same tenant and scopes, same document and variables: the share key) get
 * one execution between them instead of one each. With thousands of widgets on one metric, that
 * is the difference between one GraphQL execution per event and thousands. Events are shared
 * objects (see the live services), so the WeakMap forgets them with the event.
 */
export async function subscribeShared(args: ExecutionArgs, shareKey: string | null): Promise<AsyncIterable<ExecutionResult> | ExecutionResult> {
  const stream = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in Object(stream))) return stream as ExecutionResult;
  return sharedResults(stream as AsyncIterable<unknown>, args, shareKey);
}

/** The results of a subscription's source stream, each event executed once per share key (see subscribeShared). */
export function sharedResults(stream: AsyncIterable<unknown>, args: ExecutionArgs, shareKey: string | null): AsyncIterableIterator<ExecutionResult> {
  const source = stream[Symbol.asyncIterator]();
  const run = (payload: unknown): Result => {
    if (shareKey === null || typeof payload !== 'object' || payload === null) return execute({ ...args, rootValue: payload });
    let results = byEvent.get(payload);
    if (!results) byEvent.set(payload, (results = new Map()));
    let result = results.get(shareKey);
    if (!result) results.set(shareKey, (result = execute({ ...args, rootValue: payload })));
    return result;
  };
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      const r = await source.next();
      return r.done ? { value: undefined, done: true } : { value: await run(r.value), done: false };
    },
    async return() {
      await source.return?.();
      return { value: undefined, done: true };
    },
    async throw(error?: unknown) {
      await source.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return iterator;
}
