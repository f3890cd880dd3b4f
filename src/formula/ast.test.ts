import { children, identifierNodes, stripPositions, type Expr } from './ast';
import { parse } from './parser';

describe('ast helpers', () => {
  it('children are in source order', () => {
    const ast = parse('max(a, b) - -c');
    expect(children(ast).map((child) => child.kind)).toEqual(['Call', 'Unary']);
    expect(children(children(ast)[0]).map((child) => (child as { name: string }).name)).toEqual(['a', 'b']);
    expect(children(parse('1'))).toEqual([]);
  });

  it('identifierNodes lists every identifier occurrence in source order, but not function names', () => {
    const nodes = identifierNodes(parse('b * a + max(b, c) ^ a'));
    expect(nodes.map((node) => node.name)).toEqual(['b', 'a', 'b', 'c', 'a']);
    expect(nodes.map((node) => node.start)).toEqual([0, 4, 12, 15, 20]);
  });

  it('stripPositions removes start/end everywhere and keeps the rest', () => {
    const ast = parse('-f + round(2, 1)');
    const stripped = stripPositions(ast);
    expect(JSON.stringify(stripped)).not.toMatch(/start|end/);
    expect(stripped).toEqual({
      kind: 'Binary',
      op: '+',
      left: { kind: 'Unary', op: '-', operand: { kind: 'Identifier', name: 'f' } },
      right: {
        kind: 'Call',
        name: 'round',
        args: [
          { kind: 'Number', value: 2 },
          { kind: 'Number', value: 1 },
        ],
      },
    });
  });

  it('stripPositions makes trees with different positions equal', () => {
    const a: Expr = { kind: 'Identifier', name: 'x', start: 0, end: 1 };
    const b: Expr = { kind: 'Identifier', name: 'x', start: 5, end: 6 };
    expect(a).not.toEqual(b);
    expect(stripPositions(a)).toEqual(stripPositions(b));
  });
});
