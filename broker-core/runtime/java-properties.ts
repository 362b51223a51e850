/**
 * Java `.properties` text (RocketMQ's broker.properties / namesrv.properties), as java.util.Properties reads it:
 * `key=value`, `key: value` or `key value`; `#` and `!` comment lines; a trailing backslash continues a line
 * (leading whitespace of the next line dropped); `\t \n \r \f \uXXXX` escapes; the last duplicate wins.
 */
export function parseJavaProperties(text: string): Map<string, string> {
  return new Map([...parseJavaPropertiesWithLines(text)].map(([key, entry]) => [key, entry.value]));
}

/** The same, with the (first physical) line number of each key's last definition, for error messages. */
export function parseJavaPropertiesWithLines(text: string): Map<string, { value: string; line: number }> {
  const result = new Map<string, { value: string; line: number }>();
  const physical = text.split(/\r\n|\r|\n/);
  for (let index = 0; index < physical.length; index++) {
    const first = index + 1;
    let line = physical[index]!.replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    while (endsWithContinuation(line) && index + 1 < physical.length) {
      line = line.slice(0, -1) + physical[++index]!.replace(/^[ \t\f]+/, '');
    }
    if (endsWithContinuation(line)) line = line.slice(0, -1);
    const { key, value } = splitKeyValue(line);
    result.set(unescape(key), { value: unescape(value), line: first });
  }
  return result;
}

function endsWithContinuation(line: string): boolean {
  let backslashes = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) backslashes++;
  return backslashes % 2 === 1;
}

function splitKeyValue(line: string): { key: string; value: string } {
  let i = 0;
  while (i < line.length) {
    const char = line[i]!;
    if (char === '\\') {
      i += 2;
      continue;
    }
    if (char === '=' || char === ':' || char === ' ' || char === '\t' || char === '\f') break;
    i++;
  }
  const key = line.slice(0, i);
  let rest = line.slice(i).replace(/^[ \t\f]+/, '');
  if (rest.startsWith('=') || rest.startsWith(':')) rest = rest.slice(1).replace(/^[ \t\f]+/, '');
  return { key, value: rest };
}

function unescape(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, escaped: string) => {
    if (escaped.length === 5) return String.fromCharCode(parseInt(escaped.slice(1), 16));
    switch (escaped) {
      case 't':
        return '\t';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 'f':
        return '\f';
      default:
        return escaped;
    }
  });
}

/** Writes `key=value` lines the way the Java broker answers GET_BROKER_CONFIG (UTF-8 text, one pair a line). */
export function formatJavaProperties(entries: Iterable<[string, string]>): string {
  let text = '';
  for (const [key, value] of entries) text += `${key}=${value}\n`;
  return text;
}
