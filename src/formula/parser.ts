import type { BinaryOp, CallNode, Expr } from './ast';
import { FormulaError } from './formula-error';
import { checkCall, lookupFunction } from './functions';
import { tokenize, type Token } from './lexer';
import { MAX_DEPTH, type FormulaLimits } from './limits';

const COMPARISON_OPS: ReadonlySet<string> = new Set(['<', '<=', '>', '>=', '==', '!=']);
const ADDITIVE_OPS: ReadonlySet<string> = new Set(['+', '-']);
const MULTIPLICATIVE_OPS: ReadonlySet<string> = new Set(['*', '/']);

/** How a token reads in a message: quoted text, or "the end of the formula". */
function describe(token: Token): string {
  return token.kind === 'eof' ? 'the end of the formula' : `'${token.text}'`;
}

/** Whether a token is the given punctuator. */
function isPunctuator(token: Token, text: string): boolean {
  return token.kind === 'punctuator' && token.text === text;
}

/**
 * A recursive-descent parser with one method per precedence level, lowest first:
 * comparisons, + -, * /, unary minus, ^ (right-associative), primaries.
 * Every construct that nests (parentheses, unary minus, call arguments, exponents)
 * goes through `nested`, which caps the recursion at `maxDepth` levels.
 */
class Parser {
  private position = 0;
  private depth = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly maxDepth: number,
  ) {}

  // formula := expression EOF
  parseFormula(): Expr {
    if (this.peek().kind === 'eof') throw new FormulaError('formula is empty', 0, this.peek().end);
    const expr = this.parseExpression();
    const next = this.peek();
    if (next.kind !== 'eof') throw FormulaError.at(`unexpected ${describe(next)} after the end of the expression`, next);
    return expr;
  }

  // expression := additive (('<' | '<=' | '>' | '>=' | '==' | '!=') additive)*
  private parseExpression(): Expr {
    return this.parseLeftAssociative(COMPARISON_OPS, () => this.parseAdditive());
  }

  // additive := multiplicative (('+' | '-') multiplicative)*
  private parseAdditive(): Expr {
    return this.parseLeftAssociative(ADDITIVE_OPS, () => this.parseMultiplicative());
  }

  // multiplicative := unary (('*' | '/') unary)*
  private parseMultiplicative(): Expr {
    return this.parseLeftAssociative(MULTIPLICATIVE_OPS, () => this.parseUnary());
  }

  // level := operand (op operand)*   -- a loop, so long chains like a+b+c+... never recurse
  private parseLeftAssociative(ops: ReadonlySet<string>, parseOperand: () => Expr): Expr {
    let left = parseOperand();
    for (let token = this.peek(); token.kind === 'punctuator' && ops.has(token.text); token = this.peek()) {
      this.advance();
      const right = parseOperand();
      left = { kind: 'Binary', op: token.text as BinaryOp, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  // unary := '-' unary | power
  private parseUnary(): Expr {
    const minus = this.peek();
    if (!isPunctuator(minus, '-')) return this.parsePower();
    this.advance();
    const operand = this.nested(minus, () => this.parseUnary());
    return { kind: 'Unary', op: '-', operand, start: minus.start, end: operand.end };
  }

  // power := primary ('^' unary)?   -- the exponent is a unary, so 2^-1 and 2^3^2 = 2^(3^2)
  private parsePower(): Expr {
    const base = this.parsePrimary();
    const caret = this.peek();
    if (!isPunctuator(caret, '^')) return base;
    this.advance();
    const exponent = this.nested(caret, () => this.parseUnary());
    return { kind: 'Binary', op: '^', left: base, right: exponent, start: base.start, end: exponent.end };
  }

  // primary := NUMBER | IDENTIFIER | call | '(' expression ')'
  private parsePrimary(): Expr {
    const token = this.peek();
    if (token.kind === 'number') {
      this.advance();
      return { kind: 'Number', value: token.value, start: token.start, end: token.end };
    }
    if (token.kind === 'identifier') {
      this.advance();
      if (isPunctuator(this.peek(), '(')) return this.parseCall(token);
      return { kind: 'Identifier', name: token.text, start: token.start, end: token.end };
    }
    if (isPunctuator(token, '(')) return this.parseGroup();
    if (token.kind === 'eof') throw FormulaError.at('unexpected end of formula', token);
    throw FormulaError.at(`expected an expression but found ${describe(token)}`, token);
  }

  // group := '(' expression ')'
  private parseGroup(): Expr {
    const open = this.advance();
    const expr = this.nested(open, () => this.parseExpression());
    this.expectClosing(open);
    return expr;
  }

  // call := IDENTIFIER '(' arguments ')'
  private parseCall(name: Token): CallNode {
    lookupFunction(name.text, name);
    const open = this.advance();
    const args = this.nested(open, () => this.parseArguments());
    const close = this.expectClosing(open);
    const call: CallNode = { kind: 'Call', name: name.text, args, start: name.start, end: close.end };
    checkCall(call);
    return call;
  }

  // arguments := (expression (',' expression)*)?
  private parseArguments(): Expr[] {
    if (isPunctuator(this.peek(), ')')) return [];
    const args = [this.parseExpression()];
    while (isPunctuator(this.peek(), ',')) {
      this.advance();
      args.push(this.parseExpression());
    }
    return args;
  }

  /** Consumes the ')' matching `open`, or throws at whatever stands in its place. */
  private expectClosing(open: Token): Token {
    const token = this.peek();
    if (!isPunctuator(token, ')')) throw FormulaError.at(`expected ')' to close '(' at ${open.start}`, token);
    return this.advance();
  }

  /** Runs `parse` one nesting level deeper, throwing at `opener` beyond the depth limit. */
  private nested<T>(opener: Token, parse: () => T): T {
    if (this.depth >= this.maxDepth) {
      throw FormulaError.at(`formula is nested deeper than ${this.maxDepth} levels`, opener);
    }
    this.depth++;
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  private peek(): Token {
    return this.tokens[this.position];
  }

  private advance(): Token {
    const token = this.tokens[this.position];
    if (token.kind !== 'eof') this.position++;
    return token;
  }
}

/** Parses a formula into an AST; throws FormulaError on any lexical, syntax, function or limit error. */
export function parse(source: string, limits: FormulaLimits = {}): Expr {
  const tokens = tokenize(source, limits);
  return new Parser(tokens, limits.maxDepth ?? MAX_DEPTH).parseFormula();
}
