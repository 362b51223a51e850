/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for tests that scrape a real endpoint:
 * it throws on what Prometheus itself would refuse (a sample before its family's TYPE, a family declared twice or
 * interleaved with another, a bad label, a value that is not a number, a histogram without +Inf or _count).
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** As Prometheus reads a value (Go's ParseFloat): NaN and Inf in any case (prom-client writes "Nan"). */
function parseValue(text: string, line: number): number {
  const lower = text.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan') return NaN;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new Error(`line ${line}: "${text}" is not a number`);
  return value;
}

function parseLabels(text: string, line: number): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new Error(`line ${line}: label without "="`);
    const name = text.slice(i, eq).trim();
    if (!LABEL_NAME.test(name)) throw new Error(`line ${line}: bad label name "${name}"`);
    if (text[eq + 1] !== '"') throw new Error(`line ${line}: label ${name} is not quoted`);
    let value = '';
    let j = eq + 2;
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === '\\') {
        const next = text[++j];
        value += next === 'n' ? '\n' : next;
      } else value += text[j];
    }
    if (j >= text.length) throw new Error(`line ${line}: label ${name} is not closed`);
    if (name in labels) throw new Error(`line ${line}: label ${name} twice`);
    labels[name] = value;
    i = j + 1;
    if (text[i] === ',') i++;
  }
  return labels;
}

/** Families by name, in the order they appear. */
export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  let current: Family | null = null;
  const closed = new Set<string>();
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    if (raw.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(raw);
      if (!match) return; // a comment
      const [, kind, name, rest = ''] = match;
      if (!NAME.test(name!)) throw new Error(`line ${line}: bad metric name "${name}"`);
      let family = families.get(name!);
      if (family && family !== current) throw new Error(`line ${line}: family ${name} declared again after other families`);
      if (!family) {
        if (current) closed.add(current.name);
        family = { name: name!, type: 'untyped', help: '', samples: [] };
        families.set(name!, family);
        current = family;
      }
      if (kind === 'TYPE') {
        if (family.samples.length > 0) throw new Error(`line ${line}: TYPE of ${name} after its samples`);
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) throw new Error(`line ${line}: unknown type "${rest}"`);
        family.type = rest as Family['type'];
      } else family.help = rest;
      return;
    }
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/.exec(raw);
    if (!match) throw new Error(`line ${line}: not a sample: ${raw}`);
    const [, name, labelText = '', valueText] = match;
    const family = current as Family | null;
    const suffixes = family?.type === 'histogram' ? ['_bucket', '_sum', '_count'] : family?.type === 'summary' ? ['', '_sum', '_count'] : [''];
    if (!family || !suffixes.some((s) => `${family.name}${s}` === name)) throw new Error(`line ${line}: sample ${name} outside its family (${family?.name ?? 'none'})`);
    if (closed.has(family.name)) throw new Error(`line ${line}: family ${family.name} interleaved`);
    family.samples.push({ name: name!, labels: parseLabels(labelText, line), value: parseValue(valueText!, line) });
  });
  for (const family of families.values()) {
    if (family.type !== 'histogram') continue;
    const series = new Set(family.samples.filter((s) => s.name.endsWith('_count')).map((s) => JSON.stringify(s.labels)));
    for (const key of series) {
      const labels = JSON.parse(key) as Record<string, string>;
      const inf = family.samples.find((s) => s.name.endsWith('_bucket') && s.labels.le === '+Inf' && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
      if (!inf) throw new Error(`histogram ${family.name} ${key} has no +Inf bucket`);
    }
  }
  return families;
}

/** The sum of the samples of `family` (name + `suffix`) whose labels include `labels`; undefined when none match. */
export function sampleValue(families: Map<string, Family>, family: string, labels: Record<string, string> = {}, suffix = ''): number | undefined {
  const matching = (families.get(family)?.samples ?? []).filter((s) => s.name === family + suffix && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (matching.length === 0) return undefined;
  return matching.reduce((sum, s) => sum + s.value, 0);
}
