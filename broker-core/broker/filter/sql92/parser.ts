/**
 * Recursive-descent parser of RocketMQ's SQL92 selector, one function per rule of rocketmq-filter 4.9.4's
 * grammar (lowest precedence first):
 *
 *   selector    := or                                               (must be a boolean expression)
 *   or          := and ( OR and )*
 *   and         := equality ( AND equality )*
 *   equality    := comparison ( "=" comparison | "<>" comparison | IS NULL | IS NOT NULL )*
 *   comparison  := unary ( (">" | ">=" | "<" | "<=") unary
 *                        | [NOT] BETWEEN unary AND unary
 *                        | [NOT] IN "(" string ( "," string )* ")" )*
 *   unary       := "+" unary | "-" unary | NOT unary | primary
 *   primary     := literal | property | "(" or ")"
 *   literal     := string | decimal | float | TRUE | FALSE | NULL
 *
 * NOT binds tighter than comparisons (`NOT a = 'x'` is `(NOT a) = 'x'`), as in RocketMQ. The checks RocketMQ
 * makes while building the tree are made here with its wording: `>` and BETWEEN take numbers only, `= NULL`
 * is refused (IS NULL is the way), IN takes a property and string literals, BETWEEN's bounds must be ordered.
 * Text after a complete expression is not read, as in RocketMQ (its grammar does not ask for the end).
 */
import { Sql92EvaluationError, Sql92SyntaxError } from './errors';
import { isBooleanExpression, expressionText, type ComparisonOperator, type Expression } from './expression';
import { compareJava, javaDouble, javaInt, javaLong, javaValueText, isJavaNumber } from './java-values';
import { TokenStream, type Keyword, type Punctuation, type Token } from './lexer';

const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;
const LONG_MAX = 2n ** 63n - 1n;
const NULL_CONSTANT: Expression = { kind: 'constant', value: null, boolean: true };

function describe(token: Token): string {
  return token.kind === 'eof' ? 'the end of the expression' : `"${token.image}"`;
}

function unexpected(token: Token, expected: string): Sql92SyntaxError {
  return new Sql92SyntaxError(`Encountered ${describe(token)} at ${token.where}. Was expecting ${expected}`);
}

const isKeyword = (token: Token, keyword: Keyword): boolean => token.kind === 'keyword' && token.keyword === keyword;
const isPunct = (token: Token, punct: Punctuation): boolean => token.kind === 'punct' && token.punct === punct;

// ---------------------------------------------------------------- the tree builders, with RocketMQ's checks

function asBoolean(expression: Expression): Expression {
  if (isBooleanExpression(expression)) return expression;
  if (expression.kind === 'property') return { kind: 'booleanCast', operand: expression };
  throw new Sql92SyntaxError(`Expression will not result in a boolean value: ${expressionText(expression)}`);
}

function checkEqualOperand(expression: Expression): void {
  if (expression.kind === 'constant' && expression.value === null) {
    throw new Sql92SyntaxError(`'${expressionText(expression)}' cannot be compared (use IS NULL or IS NOT NULL)`);
  }
}

function createEqual(left: Expression, right: Expression): Expression {
  checkEqualOperand(left);
  checkEqualOperand(right);
  if (left.kind === 'constant' && right.kind === 'constant' && left.boolean && !right.boolean) {
    throw new Sql92SyntaxError(`'${expressionText(left)}' cannot be compared with '${expressionText(right)}'`);
  }
  return { kind: 'equal', left, right };
}

function checkOrderedOperand(expression: Expression): void {
  const numeric = expression.kind === 'constant' ? isJavaNumber(expression.value) : !isBooleanExpression(expression);
  if (!numeric) throw new Sql92SyntaxError(`Value '${expressionText(expression)}' cannot be compared.`);
}

function createCompare(operator: ComparisonOperator, left: Expression, right: Expression): Expression {
  checkOrderedOperand(left);
  checkOrderedOperand(right);
  return { kind: 'compare', operator, left, right };
}

function createBetween(value: Expression, low: Expression, high: Expression): Expression {
  if (low.kind === 'constant' && high.kind === 'constant') {
    if (low.value === null || high.value === null) throw new Sql92SyntaxError('Illegal values of between, values can not be null!');
    let sign: number;
    try {
      sign = compareJava(high.value, low.value);
    } catch (err) {
      throw new Sql92SyntaxError(`Illegal values of between: ${(err as Sql92EvaluationError).message}`);
    }
    if (sign < 0) {
      throw new Sql92SyntaxError(`Illegal values of between, left value(${javaValueText(low.value)}) must less than or equal to right value(${javaValueText(high.value)})`);
    }
  }
  return { kind: 'and', left: createCompare('>=', value, low), right: createCompare('<=', value, high) };
}

function createNotBetween(value: Expression, low: Expression, high: Expression): Expression {
  return { kind: 'or', left: createCompare('<', value, low), right: createCompare('>', value, high) };
}

function createIn(left: Expression, values: string[], not: boolean): Expression {
  if (left.kind !== 'property') throw new Sql92SyntaxError(`Expected a property for In expression, got: ${expressionText(left)}`);
  return { kind: 'in', property: left.name, values: new Set(values), not };
}

function decimalConstant(token: Token): Expression {
  const digits = /[lL]$/.test(token.image) ? token.image.slice(0, -1) : token.image;
  const value = BigInt(digits);
  if (value > LONG_MAX) throw new Sql92SyntaxError(`The number ${token.image} at ${token.where} is outside the 64-bit range`);
  const constant = value >= INT_MIN && value <= INT_MAX ? javaInt(Number(value)) : javaLong(value);
  return { kind: 'constant', value: constant, boolean: false };
}

function floatConstant(token: Token): Expression {
  const value = Number(token.image);
  if (value > Number.MAX_VALUE) throw new Sql92SyntaxError(`${token.image} is greater than 1.7976931348623157E308`);
  // RocketMQ refuses any float literal below Double.MIN_VALUE, 0.0 included (write 0 instead).
  if (value < Number.MIN_VALUE) throw new Sql92SyntaxError(`${token.image} is less than 4.9E-324`);
  return { kind: 'constant', value: javaDouble(value), boolean: false };
}

function stringValue(token: Token): string {
  return token.image.slice(1, -1).replaceAll("''", "'");
}

// ---------------------------------------------------------------- the rules

class Parser {
  readonly #tokens: TokenStream;

  constructor(text: string) {
    this.#tokens = new TokenStream(text);
  }

  selector(): Expression {
    return asBoolean(this.#or());
  }

  #expect(what: string, test: (token: Token) => boolean): Token {
    const token = this.#tokens.peek();
    if (!test(token)) throw unexpected(token, what);
    return this.#tokens.take();
  }

  #or(): Expression {
    let left = this.#and();
    while (isKeyword(this.#tokens.peek(), 'OR')) {
      this.#tokens.take();
      const right = this.#and();
      left = { kind: 'or', left: asBoolean(left), right: asBoolean(right) };
    }
    return left;
  }

  #and(): Expression {
    let left = this.#equality();
    while (isKeyword(this.#tokens.peek(), 'AND')) {
      this.#tokens.take();
      const right = this.#equality();
      left = { kind: 'and', left: asBoolean(left), right: asBoolean(right) };
    }
    return left;
  }

  #equality(): Expression {
    let left = this.#comparison();
    for (;;) {
      const token = this.#tokens.peek();
      if (isPunct(token, '=')) {
        this.#tokens.take();
        left = createEqual(left, this.#comparison());
      } else if (isPunct(token, '<>')) {
        this.#tokens.take();
        left = { kind: 'not', operand: createEqual(left, this.#comparison()) };
      } else if (isKeyword(token, 'IS')) {
        this.#tokens.take();
        if (isKeyword(this.#tokens.peek(), 'NULL')) {
          this.#tokens.take();
          left = { kind: 'equal', left, right: NULL_CONSTANT };
        } else {
          this.#expect('NULL or NOT NULL after IS', (next) => isKeyword(next, 'NOT'));
          this.#expect('NULL after IS NOT', (next) => isKeyword(next, 'NULL'));
          left = { kind: 'not', operand: { kind: 'equal', left, right: NULL_CONSTANT } };
        }
      } else {
        return left;
      }
    }
  }

  #comparison(): Expression {
    let left = this.#unary();
    for (;;) {
      const token = this.#tokens.peek();
      if (token.kind === 'punct' && (token.punct === '>' || token.punct === '>=' || token.punct === '<' || token.punct === '<=')) {
        this.#tokens.take();
        left = createCompare(token.punct, left, this.#unary());
      } else if (isKeyword(token, 'BETWEEN')) {
        this.#tokens.take();
        left = this.#between(left, false);
      } else if (isKeyword(token, 'IN')) {
        this.#tokens.take();
        left = createIn(left, this.#inList(), false);
      } else if (isKeyword(token, 'NOT')) {
        const next = this.#tokens.peek(1);
        if (isKeyword(next, 'BETWEEN')) {
          this.#tokens.take();
          this.#tokens.take();
          left = this.#between(left, true);
        } else if (isKeyword(next, 'IN')) {
          this.#tokens.take();
          this.#tokens.take();
          left = createIn(left, this.#inList(), true);
        } else {
          throw unexpected(next, 'BETWEEN or IN after NOT');
        }
      } else {
        return left;
      }
    }
  }

  #between(value: Expression, not: boolean): Expression {
    const low = this.#unary();
    this.#expect('AND between the bounds of BETWEEN', (token) => isKeyword(token, 'AND'));
    const high = this.#unary();
    return not ? createNotBetween(value, low, high) : createBetween(value, low, high);
  }

  #inList(): string[] {
    this.#expect('"(" after IN', (token) => isPunct(token, '('));
    const values = [stringValue(this.#expect('a string literal in the IN list', (token) => token.kind === 'string'))];
    while (isPunct(this.#tokens.peek(), ',')) {
      this.#tokens.take();
      values.push(stringValue(this.#expect('a string literal in the IN list', (token) => token.kind === 'string')));
    }
    this.#expect('"," or ")" in the IN list', (token) => isPunct(token, ')'));
    return values;
  }

  #unary(): Expression {
    const token = this.#tokens.peek();
    if (isPunct(token, '+')) {
      this.#tokens.take();
      return this.#unary();
    }
    if (isPunct(token, '-')) {
      this.#tokens.take();
      return { kind: 'negate', operand: this.#unary() };
    }
    if (isKeyword(token, 'NOT')) {
      this.#tokens.take();
      return { kind: 'not', operand: asBoolean(this.#unary()) };
    }
    return this.#primary();
  }

  #primary(): Expression {
    const token = this.#tokens.peek();
    switch (token.kind) {
      case 'string':
        this.#tokens.take();
        return { kind: 'constant', value: stringValue(token), boolean: false };
      case 'decimal':
        this.#tokens.take();
        return decimalConstant(token);
      case 'float':
        this.#tokens.take();
        return floatConstant(token);
      case 'id':
        this.#tokens.take();
        return { kind: 'property', name: token.image };
      case 'keyword':
        if (token.keyword === 'TRUE' || token.keyword === 'FALSE' || token.keyword === 'NULL') {
          this.#tokens.take();
          return { kind: 'constant', value: token.keyword === 'NULL' ? null : token.keyword === 'TRUE', boolean: true };
        }
        break;
      case 'punct':
        if (token.punct === '(') {
          this.#tokens.take();
          const inner = this.#or();
          this.#expect('")"', (next) => isPunct(next, ')'));
          return inner;
        }
        break;
      case 'eof':
        break;
    }
    throw unexpected(token, 'a property, a literal, NOT, "+", "-" or "("');
  }
}

/** Parses a selector into its tree; throws Sql92SyntaxError with where and why. */
export function parseSql92(text: string): Expression {
  return new Parser(text).selector();
}
