/**
 * RocketMQ's SQL92 message filter (expression type `SQL92`), a pure module: compile a selector once, then ask
 * whether a message's properties match it.
 *
 *   const filter = compileSql92("a BETWEEN 0 AND 3 AND TAGS IN ('TagA', 'TagB')");   // throws Sql92SyntaxError
 *   filter.matches({ a: '2', TAGS: 'TagA' })   // true
 *
 * Semantics are rocketmq-filter 4.9.4's (see java-values.ts and expression.ts): every property is text; a
 * property compared with a number is read as that number (an unreadable one makes the message not match); a
 * missing property makes its comparison unknown, and only a TRUE result delivers. The message's tag is the
 * property `TAGS`; its keys are `KEYS`.
 */
import { Sql92EvaluationError, Sql92SyntaxError } from './errors';
import { evaluateExpression, expressionText, type Expression, type PropertyReader } from './expression';
import { parseSql92 } from './parser';

export { Sql92EvaluationError, Sql92SyntaxError } from './errors';

export const SQL92 = 'SQL92';

/** A message's properties: a Map, or a plain object (only own keys count: `toString` is not a property). */
export type Sql92Properties = ReadonlyMap<string, string> | Readonly<Record<string, string | undefined>>;

export interface Sql92Filter {
  /** The selector as given. */
  readonly expression: string;
  /** The compiled tree printed as RocketMQ prints it (`((a > 5) && (TAGS == 'x'))`). */
  readonly text: string;
  /**
   * RocketMQ's three-valued result: true, false, or null (unknown: a property it needs is missing). Throws
   * Sql92EvaluationError when the properties do not fit the expression (`a > 5` with a = 'abc').
   */
  evaluate(properties: Sql92Properties): boolean | null;
  /** The broker's delivery decision: true only when evaluate() is true; an evaluation error is "no match". */
  matches(properties: Sql92Properties): boolean;
}

function readerOf(properties: Sql92Properties): PropertyReader {
  if (properties instanceof Map) return (name) => properties.get(name);
  const record = properties as Readonly<Record<string, string | undefined>>;
  return (name) => (Object.hasOwn(record, name) ? record[name] : undefined);
}

class CompiledSql92 implements Sql92Filter {
  readonly expression: string;
  readonly #tree: Expression;

  constructor(expression: string, tree: Expression) {
    this.expression = expression;
    this.#tree = tree;
  }

  get text(): string {
    return expressionText(this.#tree);
  }

  evaluate(properties: Sql92Properties): boolean | null {
    const value = evaluateExpression(this.#tree, readerOf(properties));
    if (value === null || typeof value === 'boolean') return value;
    throw new Sql92EvaluationError(`the selector did not give a boolean: ${expressionText(this.#tree)}`);
  }

  matches(properties: Sql92Properties): boolean {
    try {
      return this.evaluate(properties) === true;
    } catch (err) {
      if ((err as { name?: unknown }).name === 'Sql92EvaluationError') return false;
      throw err;
    }
  }
}

/** Compiles a selector; throws Sql92SyntaxError (code BROKER_ERR_INVALID_ARGUMENT) saying where and why. */
export function compileSql92(expression: string): Sql92Filter {
  if (typeof expression !== 'string') throw new Sql92SyntaxError('the SQL92 expression is missing');
  return new CompiledSql92(expression, parseSql92(expression));
}

/** The compile error's message, or null when the selector compiles (for form validation). */
export function checkSql92(expression: string): string | null {
  try {
    compileSql92(expression);
    return null;
  } catch (err) {
    if (err instanceof Error && err.name === 'Sql92SyntaxError') return err.message;
    throw err;
  }
}
