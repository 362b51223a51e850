'use client';
/** The console's OpenAPI document rendered readably: operations by tag, parameters, body fields with their rules, answers. */
import { useMemo, useState } from 'react';
import { inputClass } from '@/components/ui/form';
import { Table, td } from '@/components/ui/table';
import { useI18n } from '@/lib/i18n';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  default?: unknown;
  description?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  minItems?: number;
  pattern?: string;
}

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema: JsonSchema;
}

interface Operation {
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  'x-rocketdeck-access': 'public' | 'signed-in' | 'admin';
  parameters?: Parameter[];
  requestBody?: { content: { 'application/json': { schema: JsonSchema } } };
  responses: Record<string, { description: string }>;
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description: string };
  tags: { name: string }[];
  paths: Record<string, Record<string, Operation>>;
}

const METHOD_STYLE: Record<string, string> = {
  get: 'bg-sky-100 text-sky-800 dark:bg-sky-900 dark:text-sky-100',
  post: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-900 dark:text-emerald-100',
  patch: 'bg-amber-100 text-amber-800 dark:bg-amber-900 dark:text-amber-100',
  put: 'bg-amber-100 text-amber-800 dark:bg-amber-900 dark:text-amber-100',
  delete: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200',
};

export function typeText(s: JsonSchema): string {
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  const variants = s.anyOf ?? s.oneOf;
  if (variants) return variants.map(typeText).join(' | ');
  if (s.type === 'array') return `${s.items ? typeText(s.items) : 'any'}[]`;
  if (Array.isArray(s.type)) return s.type.join(' | ');
  return s.type ?? 'any';
}

export function rulesText(s: JsonSchema): string {
  const rules: string[] = [];
  if (s.minLength !== undefined || s.maxLength !== undefined) rules.push(`length ${s.minLength ?? 0}–${s.maxLength ?? '∞'}`);
  if (s.minimum !== undefined || s.maximum !== undefined) rules.push(`${s.minimum ?? '−∞'} to ${s.maximum ?? '∞'}`);
  if (s.minItems !== undefined || s.maxItems !== undefined) rules.push(`${s.minItems ?? 0}–${s.maxItems ?? '∞'} items`);
  if (s.pattern) rules.push(`pattern ${s.pattern}`);
  if (s.default !== undefined) rules.push(`default ${JSON.stringify(s.default)}`);
  return rules.join('; ');
}

interface FieldRow {
  name: string;
  schema: JsonSchema;
  required: boolean;
}

/** Fields of an object schema, nested objects and arrays of objects as dotted names ("properties[].key"). */
export function fieldRows(schema: JsonSchema, prefix = ''): FieldRow[] {
  const rows: FieldRow[] = [];
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const full = prefix ? `${prefix}.${name}` : name;
    rows.push({ name: full, schema: property, required: !!schema.required?.includes(name) });
    if (property.properties) rows.push(...fieldRows(property, full));
    if (property.items?.properties) rows.push(...fieldRows(property.items, `${full}[]`));
  }
  return rows;
}

function FieldTable({ rows }: { rows: FieldRow[] }) {
  const { t } = useI18n();
  return (
    <Table head={[t('api.field'), t('api.type'), t('api.required'), t('api.rules')]}>
      {rows.map((r) => (
        <tr key={r.name}>
          <td className={`${td} font-mono text-xs`}>{r.name}</td>
          <td className={`${td} max-w-72 whitespace-normal break-words font-mono text-xs`}>{typeText(r.schema)}</td>
          <td className={td}>{r.required ? t('api.yes') : ''}</td>
          <td className={`${td} whitespace-normal text-xs text-slate-600 dark:text-slate-300`}>{[rulesText(r.schema), r.schema.description].filter(Boolean).join('. ')}</td>
        </tr>
      ))}
    </Table>
  );
}

function BodySchema({ schema }: { schema: JsonSchema }) {
  const { t } = useI18n();
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) {
    return (
      <div className="space-y-2">
        {variants.map((v, i) => (
          <div key={i}>
            <p className="text-xs text-slate-500">{t('api.variant', { n: i + 1 })}</p>
            <FieldTable rows={fieldRows(v)} />
          </div>
        ))}
      </div>
    );
  }
  return <FieldTable rows={fieldRows(schema)} />;
}

function OperationView({ method, path, op }: { method: string; path: string; op: Operation }) {
  const { t } = useI18n();
  const access = op['x-rocketdeck-access'];
  const params = op.parameters ?? [];
  const body = op.requestBody?.content['application/json'].schema;
  return (
    <details className="rounded border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900" data-testid={`op-${method}-${path}`}>
      <summary className="flex cursor-pointer flex-wrap items-center gap-3 px-3 py-2 text-sm">
        <span className={`w-16 rounded px-1.5 py-0.5 text-center font-mono text-xs font-semibold uppercase ${METHOD_STYLE[method] ?? ''}`}>{method}</span>
        <code className="font-mono">{path}</code>
        <span className="text-slate-600 dark:text-slate-300">{op.summary}</span>
        <span className={`ml-auto rounded px-1.5 py-0.5 text-xs ${access === 'admin' ? 'bg-orange-100 text-orange-800 dark:bg-orange-900 dark:text-orange-100' : 'bg-slate-100 text-slate-600 dark:bg-slate-800 dark:text-slate-300'}`}>{t(`api.access.${access}`)}</span>
      </summary>
      <div className="space-y-3 border-t border-slate-200 px-3 py-3 dark:border-slate-800">
        {op.description && <p className="whitespace-pre-line text-sm">{op.description}</p>}
        {params.length > 0 && (
          <section>
            <h4 className="mb-1 text-sm font-medium">{t('api.parameters')}</h4>
            <Table head={[t('api.field'), t('api.in'), t('api.type'), t('api.required'), t('api.rules')]}>
              {params.map((p) => (
                <tr key={`${p.in}-${p.name}`}>
                  <td className={`${td} font-mono text-xs`}>{p.name}</td>
                  <td className={td}>{p.in}</td>
                  <td className={`${td} max-w-72 whitespace-normal break-words font-mono text-xs`}>{typeText(p.schema)}</td>
                  <td className={td}>{p.required ? t('api.yes') : ''}</td>
                  <td className={`${td} whitespace-normal text-xs text-slate-600 dark:text-slate-300`}>{[rulesText(p.schema), p.description ?? p.schema.description].filter(Boolean).join('. ')}</td>
                </tr>
              ))}
            </Table>
          </section>
        )}
        {body && (
          <section>
            <h4 className="mb-1 text-sm font-medium">{t('api.body')}</h4>
            <BodySchema schema={body} />
          </section>
        )}
        <section>
          <h4 className="mb-1 text-sm font-medium">{t('api.responses')}</h4>
          <ul className="space-y-0.5 text-sm">
            {Object.entries(op.responses).map(([status, r]) => (
              <li key={status}>
                <code className={`mr-2 font-mono ${status.startsWith('2') ? 'text-emerald-700 dark:text-emerald-400' : 'text-red-700 dark:text-red-300'}`}>{status}</code>
                {r.description}
              </li>
            ))}
          </ul>
        </section>
      </div>
    </details>
  );
}

export function OpenApiView({ doc, origin }: { doc: OpenApiDocument; origin: string }) {
  const { t } = useI18n();
  const [filter, setFilter] = useState('');
  const byTag = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const groups = new Map<string, { method: string; path: string; op: Operation }[]>(doc.tags.map((tag) => [tag.name, []]));
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        if (needle && !`${method} ${path} ${op.summary}`.toLowerCase().includes(needle)) continue;
        groups.get(op.tags[0] ?? '')?.push({ method, path, op });
      }
    }
    return [...groups.entries()].filter(([, ops]) => ops.length > 0);
  }, [doc, filter]);
  const count = Object.values(doc.paths).reduce((n, m) => n + Object.keys(m).length, 0);
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-semibold">{doc.info.title}</h1>
        <span className="text-xs text-slate-500">OpenAPI {doc.openapi} · {t('api.operations', { n: count })}</span>
        <a href="/api/openapi.json" className="text-sm text-sky-700 underline dark:text-sky-400" download="rocketdeck-openapi.json">
          openapi.json
        </a>
        <input aria-label={t('api.filter')} placeholder={t('api.filter')} className={`${inputClass} ml-auto max-w-xs`} value={filter} onChange={(e) => setFilter(e.target.value)} />
      </div>
      <p className="max-w-4xl text-sm">{doc.info.description}</p>
      <pre className="max-w-4xl overflow-x-auto rounded bg-slate-100 p-3 font-mono text-xs dark:bg-slate-800">{`curl -H "Authorization: Bearer $ROCKETDECK_TOKEN" ${origin}/api/topics`}</pre>
      {byTag.map(([tag, ops]) => (
        <section key={tag} aria-label={tag} className="space-y-1.5">
          <h2 className="text-lg font-medium">{tag}</h2>
          {ops.map(({ method, path, op }) => (
            <OperationView key={`${method} ${path}`} method={method} path={path} op={op} />
          ))}
        </section>
      ))}
    </div>
  );
}
