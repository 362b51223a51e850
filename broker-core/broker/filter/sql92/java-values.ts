/**
 * The values a RocketMQ selector computes with, as the Java types they are there: a property is always a
 * String (message properties are text), a literal is an Integer (fits 32 bits), a Long, a Double, a String or
 * a Boolean; NULL and a missing property are null. Comparisons follow rocketmq-filter's
 * ComparisonExpression.__compare: numbers widen (Integer → Long → Double), a String next to a number is parsed
 * as that number's type (Integer.valueOf, Long.valueOf, Double.valueOf: failure is an evaluation error), a
 * String next to a Boolean is read with Boolean.valueOf, and other mixes compare as "less" (never equal).
 */
import { Sql92EvaluationError } from './errors';

export interface JavaInt { readonly t: 'I'; readonly v: number }
export interface JavaLong { readonly t: 'J'; readonly v: bigint }
export interface JavaDouble { readonly t: 'D'; readonly v: number }
export type JavaNumber = JavaInt | JavaLong | JavaDouble;
export type JavaValue = null | boolean | string | JavaNumber;

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

export const javaInt = (v: number): JavaInt => ({ t: 'I', v: v | 0 });
export const javaLong = (v: bigint): JavaLong => ({ t: 'J', v: BigInt.asIntN(64, v) });
export const javaDouble = (v: number): JavaDouble => ({ t: 'D', v });

export function isJavaNumber(value: JavaValue): value is JavaNumber {
  return typeof value === 'object' && value !== null;
}

function numberFormatError(text: string): Sql92EvaluationError {
  return new Sql92EvaluationError(`java.lang.NumberFormatException: For input string: "${text}"`);
}

const INTEGER_TEXT = /^[+-]?[0-9]+$/;

/** Integer.valueOf(String). */
export function parseJavaInt(text: string): JavaInt {
  if (!INTEGER_TEXT.test(text)) throw numberFormatError(text);
  const value = Number(text);
  if (value < INT_MIN || value > INT_MAX) throw numberFormatError(text);
  return javaInt(value);
}

/** Long.valueOf(String). */
export function parseJavaLong(text: string): JavaLong {
  if (!INTEGER_TEXT.test(text)) throw numberFormatError(text);
  const value = BigInt(text);
  if (value < LONG_MIN || value > LONG_MAX) throw numberFormatError(text);
  return javaLong(value);
}

const DECIMAL_FLOAT_TEXT = /^[+-]?(?:NaN|Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fFdD]?)$/;
const HEX_FLOAT_TEXT = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?[0-9]+)[fFdD]?$/;

/** Java's String.trim(): strips every char <= U+0020 at both ends. */
function javaTrim(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) <= 0x20) start++;
  while (end > start && text.charCodeAt(end - 1) <= 0x20) end--;
  return text.slice(start, end);
}

/** Double.valueOf(String): decimal or hexadecimal notation, NaN, Infinity, an optional f/d suffix, spaces around. */
export function parseJavaDouble(text: string): JavaDouble {
  const trimmed = javaTrim(text);
  if (DECIMAL_FLOAT_TEXT.test(trimmed)) {
    const body = /[fFdD]$/.test(trimmed) ? trimmed.slice(0, -1) : trimmed;
    return javaDouble(Number(body));
  }
  const hex = HEX_FLOAT_TEXT.exec(trimmed);
  if (hex && (hex[2]! + (hex[3] ?? '')).length > 0) {
    const digits = hex[2]! + (hex[3] ?? '');
    const mantissa = Number(BigInt(`0x${digits}`));
    const value = mantissa * 2 ** (Number(hex[4]) - 4 * (hex[3] ?? '').length);
    return javaDouble(hex[1] === '-' ? -value : value);
  }
  throw numberFormatError(text);
}

/** Boolean.valueOf(String): true only for "true" in any case. */
export function parseJavaBoolean(text: string): boolean {
  return text.toLowerCase() === 'true';
}

/** Double.compare: -0.0 before 0.0, NaN after everything and equal to itself. */
function compareDoubles(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  const aNaN = Number.isNaN(a);
  const bNaN = Number.isNaN(b);
  if (aNaN || bNaN) return aNaN === bNaN ? 0 : aNaN ? 1 : -1;
  if (a === 0 && b === 0) {
    const aNegative = Object.is(a, -0);
    const bNegative = Object.is(b, -0);
    return aNegative === bNegative ? 0 : aNegative ? -1 : 1;
  }
  return 0;
}

function toDouble(value: JavaNumber): number {
  return value.t === 'J' ? Number(value.v) : value.v;
}

/** compareTo of two numbers after widening to the wider type. */
function compareNumbers(left: JavaNumber, right: JavaNumber): number {
  if (left.t === 'D' || right.t === 'D') return compareDoubles(toDouble(left), toDouble(right));
  if (left.t === 'J' || right.t === 'J') {
    const a = BigInt(left.v);
    const b = BigInt(right.v);
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return left.v < right.v ? -1 : left.v > right.v ? 1 : 0;
}

/** A String parsed as the type of the number it is compared with. */
function parseAs(text: string, like: JavaNumber): JavaNumber {
  switch (like.t) {
    case 'I':
      return parseJavaInt(text);
    case 'J':
      return parseJavaLong(text);
    case 'D':
      return parseJavaDouble(text);
  }
}

/**
 * ComparisonExpression.__compare (with string conversion on, as SelectorParser always sets it): the sign of
 * left compared with right. Neither side may be null.
 */
export function compareJava(left: NonNullable<JavaValue>, right: NonNullable<JavaValue>): number {
  if (typeof left === 'string') {
    if (typeof right === 'string') return left < right ? -1 : left > right ? 1 : 0;
    if (typeof right === 'boolean') return compareBooleans(parseJavaBoolean(left), right);
    return compareNumbers(parseAs(left, right), right);
  }
  if (typeof left === 'boolean') {
    if (typeof right === 'boolean') return compareBooleans(left, right);
    // Java casts the Boolean to String here and fails; with anything else the answer is "less".
    if (typeof right === 'string') throw new Sql92EvaluationError('java.lang.ClassCastException: class java.lang.Boolean cannot be cast to class java.lang.String');
    return -1;
  }
  if (typeof right === 'string') return compareNumbers(left, parseAs(right, left));
  if (typeof right === 'boolean') return -1;
  return compareNumbers(left, right);
}

function compareBooleans(a: boolean, b: boolean): number {
  return a === b ? 0 : a ? 1 : -1;
}

/** Double.toString, for messages: 5.0, 0.001, 1.0E7, 1.5E-4. */
export function javaDoubleText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    const text = String(value);
    return text.includes('.') ? text : `${text}.0`;
  }
  const [mantissa, exponent] = value.toExponential().split('e') as [string, string];
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent.replace('+', '')}`;
}

/** The value as Java's toString() prints it (for messages). */
export function javaValueText(value: JavaValue): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean' || typeof value === 'string') return String(value);
  return value.t === 'D' ? javaDoubleText(value.v) : String(value.v);
}
