import 'reflect-metadata';
import { parse, type OperationDefinitionNode } from 'graphql';
import { CompiledReads } from './json-read-plugin';

const operation = (text: string) => parse(text).definitions[0] as OperationDefinitionNode;

describe('CompiledReads: the operations the fast route may serve', () => {
  it('knows a query text only with the operation name it was learnt with', () => {
    const reads = new CompiledReads([]);
    const op = operation('query A { viewer { id } }');
    reads.learn('query A { viewer { id } }', 'A', op);
    expect(reads.knownOperation('query A { viewer { id } }', 'A')).toBe(op);
    expect(reads.knownOperation('query A { viewer { id } }', null)).toBeUndefined();
    expect(reads.knownOperation('query A { viewer { id } }', '')).toBeUndefined();
    expect(reads.knownOperation('query A { viewer { id }}', 'A')).toBeUndefined();
  });

  it('forgets everything past 500 texts or 4 MiB of them, and learns again', () => {
    const reads = new CompiledReads([]);
    const op = operation('{ viewer { id } }');
    for (let i = 0; i < 500; i++) reads.learn(`{ viewer { id } } # ${i}`, null, op);
    expect(reads.knownOperation('{ viewer { id } } # 0', null)).toBe(op);
    reads.learn('{ viewer { id } } # 500', null, op);
    expect(reads.knownOperation('{ viewer { id } } # 0', null)).toBeUndefined();
    expect(reads.knownOperation('{ viewer { id } } # 500', null)).toBe(op);
    const big = (n: number) => `{ viewer { id } } #${' '.repeat(2 ** 20)}${n}`;
    for (let i = 0; i < 3; i++) reads.learn(big(i), null, op);
    expect(reads.knownOperation('{ viewer { id } } # 500', null)).toBe(op);
    reads.learn(big(3), null, op);
    expect(reads.knownOperation(big(0), null)).toBeUndefined();
    expect(reads.knownOperation(big(3), null)).toBe(op);
  });
});
