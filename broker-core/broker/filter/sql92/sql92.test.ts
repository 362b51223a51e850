import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkSql92, compileSql92 } from './index';
import { compareJava, javaDoubleText, javaInt, javaLong, javaDouble, parseJavaDouble, parseJavaInt, parseJavaLong } from './java-values';
import { TokenStream } from './lexer';

/**
 * Cases run through rocketmq-filter 4.9.4 itself (SelectorParser.parse, then evaluate on a context of the
 * given properties): its result per property set, "exc" where evaluation threw (the broker then does not
 * deliver), or "compile error". Hand-picked edge cases first, then generated ones.
 */
interface JavaCase {
  expression: string;
  properties: Record<string, string>[];
  java: string[] | 'compile error';
}
const JAVA_CASES = JSON.parse(readFileSync(new URL('./__fixtures__/sql92.java-4.9.4.cases.json', import.meta.url), 'utf8')) as JavaCase[];

function outcome(expression: string, properties: Record<string, string>[]): string[] | 'compile error' {
  let filter;
  try {
    filter = compileSql92(expression);
  } catch (err) {
    expect((err as Error).name).toBe('Sql92SyntaxError');
    return 'compile error';
  }
  return properties.map((props) => {
    try {
      return String(filter.evaluate(props));
    } catch (err) {
      expect((err as Error).name).toBe('Sql92EvaluationError');
      return 'exc';
    }
  });
}

describe('SQL92 selector, against rocketmq-filter 4.9.4', () => {
  it.each(JAVA_CASES.map((c) => [c.expression, c] as const))('%s', (_, c) => {
    expect(outcome(c.expression, c.properties)).toEqual(c.java);
  });

  it('covers every outcome in the captured cases', () => {
    const seen = new Set(JAVA_CASES.flatMap((c) => (c.java === 'compile error' ? ['compile error'] : c.java)));
    expect([...seen].sort()).toEqual(['compile error', 'exc', 'false', 'null', 'true']);
  });
});

describe('SQL92 selector: what a consumer sees', () => {
  it('delivers the SqlFilterConsumer example\'s 3 of 10', () => {
    const filter = compileSql92("(TAGS is not null and TAGS in ('TagA', 'TagB')) and (a is not null and a between 0 and 3)");
    const tags = ['TagA', 'TagB', 'TagC'];
    const delivered = Array.from({ length: 10 }, (_, i) => ({ TAGS: tags[i % 3]!, a: String(i) })).filter((props) => filter.matches(props));
    expect(delivered).toEqual([{ TAGS: 'TagA', a: '0' }, { TAGS: 'TagB', a: '1' }, { TAGS: 'TagA', a: '3' }]);
  });

  it('treats a missing property as unknown and never delivers on unknown', () => {
    const filter = compileSql92('price > 20');
    expect(filter.evaluate({})).toBeNull();
    expect(filter.matches({})).toBe(false);
    expect(compileSql92('NOT (price > 20)').matches({})).toBe(false);
    expect(compileSql92('price > 20 OR TRUE').matches({})).toBe(true);
    expect(compileSql92('price IS NULL').matches({})).toBe(true);
  });

  it('does not deliver when a property does not fit the comparison', () => {
    const filter = compileSql92('price > 20');
    expect(() => filter.evaluate({ price: 'cheap' })).toThrow(/NumberFormatException/);
    expect(filter.matches({ price: 'cheap' })).toBe(false);
    expect(filter.matches({ price: '21' })).toBe(true);
  });

  it('reads only own properties of a plain object, and Maps', () => {
    expect(compileSql92('toString IS NULL').matches({})).toBe(true);
    expect(compileSql92("a = 'x'").matches(new Map([['a', 'x']]))).toBe(true);
  });

  it('prints the compiled tree as RocketMQ does', () => {
    expect(compileSql92("a > 5 AND NOT b = 'x' OR c IS NOT NULL").text).toBe("(((a > 5) && ((NOT b) == 'x')) || (NOT (c == NULL)))");
  });

  it('explains where a selector is wrong', () => {
    expect(checkSql92('price > 20')).toBeNull();
    expect(checkSql92('price >')).toMatch(/end of the expression at line 1, column 8/);
    expect(checkSql92('a != 1')).toMatch(/Lexical error at line 1, column 3: unexpected character "!"/);
    expect(checkSql92("a = 'x")).toMatch(/never closed/);
    expect(checkSql92('a = NULL')).toMatch(/IS NULL/);
    expect(checkSql92("a > 'x'")).toBe("Value ''x'' cannot be compared.");
    expect(checkSql92('a IN (1)')).toMatch(/string literal in the IN list/);
    expect(checkSql92('a\n AND b >')).toMatch(/line 2, column 9/);
  });
});

describe('SQL92 tokens', () => {
  const images = (text: string): string[] => {
    const stream = new TokenStream(text);
    const out: string[] = [];
    for (;;) {
      const token = stream.take();
      if (token.kind === 'eof') return out;
      out.push(`${token.kind}:${token.image}`);
    }
  };

  it('takes the longest match, keywords before names', () => {
    expect(images("a>=5.5e3 AND Inx IN ('it''s') -- note\n/* c */ <> 0L")).toEqual([
      'id:a', 'punct:>=', 'float:5.5e3', 'keyword:AND', 'id:Inx', 'keyword:IN', 'punct:(', "string:'it''s'", 'punct:)', 'punct:<>', 'decimal:0', 'id:L',
    ]);
    expect(images('5e 5. .5 007')).toEqual(['decimal:5', 'id:e', 'float:5.', 'float:.5', 'decimal:0', 'decimal:0', 'decimal:7']);
    expect(images('-- no line end')).toEqual(['punct:-', 'punct:-', 'id:no', 'id:line', 'id:end']);
  });

  it('reads only as far as asked', () => {
    const stream = new TokenStream('a # b');
    expect(stream.take().image).toBe('a');
    expect(() => stream.peek()).toThrow(/unexpected character "#"/);
  });
});

describe('Java value conversions', () => {
  it('parses as Integer.valueOf / Long.valueOf / Double.valueOf do', () => {
    expect(parseJavaInt('+007')).toEqual(javaInt(7));
    expect(() => parseJavaInt('2147483648')).toThrow(/For input string: "2147483648"/);
    expect(() => parseJavaInt(' 1')).toThrow();
    expect(parseJavaLong('-9223372036854775808')).toEqual(javaLong(-(2n ** 63n)));
    expect(() => parseJavaLong('9223372036854775808')).toThrow();
    expect(parseJavaDouble(' 1.5d ').v).toBe(1.5);
    expect(parseJavaDouble('0x1.8p1').v).toBe(3);
    expect(parseJavaDouble('-Infinity').v).toBe(-Infinity);
    expect(Number.isNaN(parseJavaDouble('NaN').v)).toBe(true);
    expect(() => parseJavaDouble('1,5')).toThrow();
    expect(() => parseJavaDouble('Infinityd')).toThrow();
  });

  it('compares as ComparisonExpression.__compare does', () => {
    expect(compareJava(javaInt(1), javaLong(1n))).toBe(0);
    expect(compareJava(javaLong(2n ** 62n), javaInt(5))).toBe(1);
    expect(compareJava(javaDouble(1.5), javaInt(1))).toBe(1);
    expect(compareJava('10', javaInt(9))).toBe(1);
    expect(compareJava(javaDouble(Number.NaN), javaDouble(Infinity))).toBe(1);
    expect(compareJava(javaDouble(-0), javaDouble(0))).toBe(-1);
    expect(compareJava('TRUE', true)).toBe(0);
    expect(compareJava(javaInt(1), true)).toBe(-1);
    expect(() => compareJava(true, 'true')).toThrow(/ClassCastException/);
    expect(compareJava('b', 'a')).toBe(1);
  });

  it('prints doubles as Double.toString', () => {
    expect(javaDoubleText(5)).toBe('5.0');
    expect(javaDoubleText(1e7)).toBe('1.0E7');
    expect(javaDoubleText(1.5e-4)).toBe('1.5E-4');
    expect(javaDoubleText(0.001)).toBe('0.001');
  });
});
