import type { Span } from './formula-error';

/** A numeric literal such as `12`, `1.5` or `2.5E-4`; always non-negative when parsed. */
export interface NumberNode extends Span {
  readonly kind: 'Number';
  readonly value: number;
}

/** A variable reference such as `lead_value`. */
export interface IdentifierNode extends Span {
  readonly kind: 'Identifier';
  readonly name: string;
}

/** Negation: `-operand`. */
export interface UnaryNode extends Span {
  readonly kind: 'Unary';
  readonly op: '-';
  readonly operand: Expr;
}

/** Comparison operators; they yield 1 or 0. */
export type ComparisonOp = '<' | '<=' | '>' | '>=' | '==' | '!=';
/** Every binary operator. */
export type BinaryOp = '+' | '-' | '*' | '/' | '^' | ComparisonOp;

/** `left op right`. */
export interface BinaryNode extends Span {
  readonly kind: 'Binary';
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
}

/** A function call such as `max(a, b)`; the span runs from the name to the `)`. */
export interface CallNode extends Span {
  readonly kind: 'Call';
  readonly name: string;
  readonly args: readonly Expr[];
}

/** Any formula expression. */
export type Expr = NumberNode | IdentifierNode | UnaryNode | BinaryNode | CallNode;

/** The direct children of a node, in source order. */
export function children(expr: Expr): readonly Expr[] {
  switch (expr.kind) {
    case 'Unary':
      return [expr.operand];
    case 'Binary':
      return [expr.left, expr.right];
    case 'Call':
      return expr.args;
    default:
      return [];
  }
}

/** Every identifier node, in source order (repeats included). */
export function identifierNodes(expr: Expr): IdentifierNode[] {
  const found: IdentifierNode[] = [];
  const visit = (node: Expr): void => {
    if (node.kind === 'Identifier') found.push(node);
    children(node).forEach(visit);
  };
  visit(expr);
  return found;
}

/** A deep copy of the tree without start/end, for structural comparison. */
export function stripPositions(expr: Expr): unknown {
  switch (expr.kind) {
    case 'Number':
      return { kind: expr.kind, value: expr.value };
    case 'Identifier':
      return { kind: expr.kind, name: expr.name };
    case 'Unary':
      return { kind: expr.kind, op: expr.op, operand: stripPositions(expr.operand) };
    case 'Binary':
      return { kind: expr.kind, op: expr.op, left: stripPositions(expr.left), right: stripPositions(expr.right) };
    case 'Call':
      return { kind: expr.kind, name: expr.name, args: expr.args.map(stripPositions) };
  }
}
