import type { CallNode } from './ast';
import { FormulaError } from './formula-error';
import { checkCall, functions, lookupFunction, type ArgThunk } from './functions';

/** Calls a built-in on constant arguments. */
function call(name: string, ...values: Array<number | null>): number | null {
  const args: Array<ArgThunk<void>> = values.map((value) => () => value);
  return functions.get(name)!.call(args, undefined);
}

/** A call node with literal arguments at fixed positions, as `name(1, 2, ...)`. */
function callNode(name: string, count: number): CallNode {
  const args = Array.from({ length: count }, (_, i) => ({
    kind: 'Number' as const,
    value: i,
    start: name.length + 1 + 3 * i,
    end: name.length + 2 + 3 * i,
  }));
  return { kind: 'Call', name, args, start: 0, end: name.length + 3 * Math.max(count, 1) };
}

describe('functions map', () => {
  it('is a Map holding exactly the documented functions', () => {
    expect(functions).toBeInstanceOf(Map);
    expect([...functions.keys()].sort()).toEqual(['abs', 'if', 'log', 'max', 'min', 'round', 'sqrt']);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])('does not find %s', (name) => {
    expect(functions.get(name)).toBeUndefined();
    expect(functions.has(name)).toBe(false);
    expect(() => lookupFunction(name, { start: 0, end: name.length })).toThrow(`unknown function '${name}'`);
  });

  it.each([
    ['min', 2, Infinity],
    ['max', 2, Infinity],
    ['abs', 1, 1],
    ['round', 1, 2],
    ['sqrt', 1, 1],
    ['log', 1, 1],
    ['if', 3, 3],
  ])('%s takes %i to %p arguments', (name, min, max) => {
    const fn = functions.get(name)!;
    expect([fn.minArgs, fn.maxArgs]).toEqual([min, max]);
    expect(fn.description).toContain(`${name}(`);
  });
});

describe('function semantics', () => {
  it('computes values', () => {
    expect(call('min', 3, 1, 2)).toBe(1);
    expect(call('max', 3, 1, 2)).toBe(3);
    expect(call('abs', -4)).toBe(4);
    expect(call('round', 2.5)).toBe(3);
    expect(call('round', 3.14159, 2)).toBe(3.14);
    expect(call('sqrt', 9)).toBe(3);
    expect(call('log', Math.E)).toBe(1);
  });

  it('gives null for sqrt of a negative, log of 0 or a negative, and bad round digits', () => {
    expect(call('sqrt', -4)).toBeNull();
    expect(call('log', -1)).toBeNull();
    expect(call('log', 0)).toBeNull();
    expect(call('round', 1.5, 11)).toBeNull();
  });

  it('propagates null through strict functions', () => {
    expect(call('min', 1, null)).toBeNull();
    expect(call('max', null, 1, 2)).toBeNull();
    expect(call('abs', null)).toBeNull();
    expect(call('round', 1.25, null)).toBeNull();
  });

  it('evaluates every argument of a strict function, even after a null', () => {
    const later = jest.fn(() => 1);
    functions.get('max')!.call([() => null, later], undefined);
    expect(later).toHaveBeenCalledTimes(1);
  });

  it('if evaluates only the chosen branch', () => {
    const [then, otherwise] = [jest.fn(() => 10), jest.fn(() => 20)];
    const fn = functions.get('if')!;
    expect(fn.call([() => 1, then, otherwise], undefined)).toBe(10);
    expect(otherwise).not.toHaveBeenCalled();
    expect(fn.call([() => 0, then, otherwise], undefined)).toBe(20);
    expect(then).toHaveBeenCalledTimes(1);
    expect(fn.call([() => -0.5, then, otherwise], undefined)).toBe(10);
  });

  it('if with a null condition is null and evaluates neither branch', () => {
    const branch = jest.fn(() => 1);
    expect(functions.get('if')!.call([() => null, branch, branch], undefined)).toBeNull();
    expect(branch).not.toHaveBeenCalled();
    expect(call('if', 1, null, 5)).toBeNull();
  });

  it('passes the context to argument thunks', () => {
    const fn = functions.get('abs')!;
    expect(fn.call([(context: { x: number }) => context.x], { x: -7 })).toBe(7);
  });
});

describe('checkCall', () => {
  it('returns the function for a valid call', () => {
    expect(checkCall(callNode('min', 2)).name).toBe('min');
  });

  it('reports unknown names at the name', () => {
    expect(() => checkCall(callNode('nope', 1))).toThrow(FormulaError);
    expect(() => checkCall(callNode('nope', 1))).toThrow(
      expect.objectContaining({ message: "unknown function 'nope'", start: 0, end: 4 }),
    );
  });

  it('reports too many arguments at the extra ones and too few at the argument list', () => {
    expect(() => checkCall(callNode('abs', 3))).toThrow(
      expect.objectContaining({ message: 'abs() takes 1 argument but got 3', start: 7, end: 11 }),
    );
    expect(() => checkCall(callNode('if', 1))).toThrow(
      expect.objectContaining({ message: 'if() takes 3 arguments but got 1', start: 2, end: 5 }),
    );
  });
});
