/**
 * The compiled form of a selector and its evaluation, with rocketmq-filter's three-valued logic: a comparison
 * with a missing property is unknown (null), AND / OR / NOT carry unknown through as SQL does, and a message
 * is delivered only when the whole expression is TRUE.
 */
import { Sql92EvaluationError } from './errors';
import { compareJava, javaDouble, javaInt, javaLong, javaDoubleText, isJavaNumber, parseJavaDouble, type JavaValue } from './java-values';

export type ComparisonOperator = '>' | '>=' | '<' | '<=';

export type Expression =
  /** A literal; `boolean` marks TRUE / FALSE / NULL, which RocketMQ types as boolean expressions. */
  | { readonly kind: 'constant'; readonly value: JavaValue; readonly boolean: boolean }
  | { readonly kind: 'property'; readonly name: string }
  | { readonly kind: 'negate'; readonly operand: Expression }
  | { readonly kind: 'not'; readonly operand: Expression }
  /** A bare property used as a condition: TRUE only when its value is the Boolean TRUE (never, for text). */
  | { readonly kind: 'booleanCast'; readonly operand: Expression }
  | { readonly kind: 'and' | 'or'; readonly left: Expression; readonly right: Expression }
  /** `=` (and, under NOT, `<>` and IS [NOT] NULL): null = null is TRUE, null = value is unknown, value = null FALSE. */
  | { readonly kind: 'equal'; readonly left: Expression; readonly right: Expression }
  | { readonly kind: 'compare'; readonly operator: ComparisonOperator; readonly left: Expression; readonly right: Expression }
  | { readonly kind: 'in'; readonly property: string; readonly values: ReadonlySet<string>; readonly not: boolean };

/** Whether RocketMQ types the node as a BooleanExpression (what AND, OR, NOT and the whole selector accept). */
export function isBooleanExpression(expression: Expression): boolean {
  switch (expression.kind) {
    case 'constant':
      return expression.boolean;
    case 'property':
    case 'negate':
      return false;
    default:
      return true;
  }
}

/** Reads one property of the message being evaluated (undefined when absent). */
export type PropertyReader = (name: string) => string | undefined;

export function evaluateExpression(expression: Expression, read: PropertyReader): JavaValue {
  switch (expression.kind) {
    case 'constant':
      return expression.value;
    case 'property':
      return read(expression.name) ?? null;
    case 'negate': {
      const value = evaluateExpression(expression.operand, read);
      if (!isJavaNumber(value)) return null;
      if (value.t === 'I') return javaInt(-value.v);
      if (value.t === 'J') return javaLong(-value.v);
      return javaDouble(-value.v);
    }
    case 'not': {
      const value = evaluateBoolean(expression.operand, read);
      return value === null ? null : !value;
    }
    case 'booleanCast': {
      const value = evaluateExpression(expression.operand, read);
      if (value === null) return null;
      return value === true;
    }
    case 'and': {
      const left = evaluateBoolean(expression.left, read);
      if (left === false) return false;
      const right = evaluateBoolean(expression.right, read);
      if (right === false) return false;
      return left === null || right === null ? null : true;
    }
    case 'or': {
      const left = evaluateBoolean(expression.left, read);
      if (left === true) return true;
      const right = evaluateBoolean(expression.right, read);
      if (right === true) return true;
      return left === null || right === null ? null : false;
    }
    case 'equal': {
      const left = evaluateExpression(expression.left, read);
      const right = evaluateExpression(expression.right, read);
      if (left === null && right === null) return true;
      if (left === null) return null;
      if (right === null) return false;
      return compareJava(left, right) === 0;
    }
    case 'compare': {
      const left = evaluateExpression(expression.left, read);
      if (left === null) return null;
      const right = evaluateExpression(expression.right, read);
      if (right === null) return null;
      return orderHolds(expression.operator, compareOrdered(left, right));
    }
    case 'in': {
      const value = read(expression.property);
      if (value === undefined) return null;
      return expression.values.has(value) !== expression.not;
    }
  }
}

/** The sign of an ordering comparison: two strings are read as two numbers (Double.valueOf), else as in `=`. */
function compareOrdered(left: NonNullable<JavaValue>, right: NonNullable<JavaValue>): number {
  if (typeof left !== 'string' || typeof right !== 'string') return compareJava(left, right);
  try {
    return compareJava(parseJavaDouble(left), parseJavaDouble(right));
  } catch {
    throw new Sql92EvaluationError(`It's illegal to compare string by '>=', '>', '<', '<='. lv=${left}, rv=${right}`);
  }
}

function orderHolds(operator: ComparisonOperator, sign: number): boolean {
  switch (operator) {
    case '>':
      return sign > 0;
    case '>=':
      return sign >= 0;
    case '<':
      return sign < 0;
    case '<=':
      return sign <= 0;
  }
}

/** A boolean node's value (the parser only puts boolean nodes where a boolean is needed). */
function evaluateBoolean(expression: Expression, read: PropertyReader): boolean | null {
  const value = evaluateExpression(expression, read);
  if (value === null || typeof value === 'boolean') return value;
  throw new Sql92EvaluationError(`${expressionText(expression)} is not a boolean`);
}

function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The expression as rocketmq-filter prints it in its messages: `(a > 5)`, `(NOT (a == 'x'))`, `TRUE`. */
export function expressionText(expression: Expression): string {
  switch (expression.kind) {
    case 'constant': {
      const value = expression.value;
      if (value === null) return 'NULL';
      if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
      if (typeof value === 'string') return quote(value);
      return value.t === 'D' ? javaDoubleText(value.v) : String(value.v);
    }
    case 'property':
      return expression.name;
    case 'negate':
      return `(- ${expressionText(expression.operand)})`;
    case 'not':
      return `(NOT ${expressionText(expression.operand)})`;
    case 'booleanCast':
      return expressionText(expression.operand);
    case 'and':
      return `(${expressionText(expression.left)} && ${expressionText(expression.right)})`;
    case 'or':
      return `(${expressionText(expression.left)} || ${expressionText(expression.right)})`;
    case 'equal':
      return `(${expressionText(expression.left)} == ${expressionText(expression.right)})`;
    case 'compare':
      return `(${expressionText(expression.left)} ${expression.operator} ${expressionText(expression.right)})`;
    case 'in':
      return `${expression.property} ${expression.not ? 'NOT IN' : 'IN'} ( ${[...expression.values].join(', ')} )`;
  }
}
