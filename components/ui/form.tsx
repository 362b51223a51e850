'use client';
/** Form pieces shared by every dialog: labelled fields with their error beside them, and buttons. */
import { useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '@/lib/fetch-json';

export const inputClass = 'w-full rounded border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-950';
export const smallButton = 'rounded bg-slate-800 px-2 py-1 text-xs text-white disabled:opacity-40 dark:bg-slate-200 dark:text-slate-900';
export const primaryButton = 'rounded bg-orange-600 px-4 py-2 text-sm font-medium text-white disabled:opacity-50';
export const dangerButton = 'rounded bg-red-600 px-2 py-1 text-xs text-white disabled:opacity-40';

export function FieldError({ message, id }: { message?: string; id: string }) {
  return message ? (
    <p id={id} role="alert" className="mt-1 text-xs text-red-600 dark:text-red-400">
      {message}
    </p>
  ) : null;
}

export function Field({ name, label, error, children, className = '' }: { name: string; label: string; error?: string; children: ReactNode; className?: string }) {
  return (
    <label className={`block text-sm ${className}`}>
      <span className="mb-1 block text-slate-600 dark:text-slate-300">{label}</span>
      {children}
      <FieldError id={`${name}-error`} message={error} />
    </label>
  );
}

/** Field errors from a failed API call, or its message under "_" (shown above the submit button). */
export function errorsOf(err: unknown): Record<string, string> {
  if (err instanceof ApiError) {
    if (Object.keys(err.fields).length > 0) return err.fields;
    return { _: err.message };
  }
  return { _: err instanceof Error ? err.message : String(err) };
}

/** Issues of a zod parse as one message per top-level field. */
export function zodFields(issues: { path: PropertyKey[]; message: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of issues) out[issue.path.map(String).join('.') || '_'] ??= issue.message;
  return out;
}

interface Schema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
}

/** Field errors of a form checked by its zod schema before it is sent (the server checks again). */
export function useValidation<T>(schema: Schema<T>) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const validate = (value: unknown): T | null => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      setErrors(zodFields(parsed.error.issues));
      return null;
    }
    setErrors({});
    return parsed.data;
  };
  return { errors, setErrors, validate };
}

/**
 * A form's target with the first cluster filled in while it names neither clusters nor brokers: computed at
 * render, never stored, so a cluster list that arrives while the user types cannot race their input.
 */
export function withDefaultCluster<F extends { clusters: string[]; brokers: string[] }>(form: F, clusters: string[]): F {
  return form.clusters.length === 0 && form.brokers.length === 0 && clusters[0] ? { ...form, clusters: [clusters[0]] } : form;
}

/**
 * A search form: the fields as typed, the last query that passed the schema (null before the first), field
 * errors, and the submit handler. Pages run their query from `query` and add the server's errors to these.
 */
export function useQueryForm<F extends object, Q>(schema: Schema<Q>, initial: F) {
  const [form, setForm] = useState<F>(initial);
  const [query, setQuery] = useState<Q | null>(null);
  const { errors, validate } = useValidation(schema);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const valid = validate(form);
    if (valid) setQuery(valid);
  };
  return { form, setForm, query, errors, submit };
}

/** From / To fields for a time range (datetime-local values). */
export function TimeRangeFields({ value, onChange, errors, labels }: { value: { begin: string; end: string }; onChange: (next: { begin: string; end: string }) => void; errors: Record<string, string>; labels: { begin: string; end: string } }) {
  return (
    <>
      <Field name="begin" label={labels.begin} error={errors.begin}>
        <input name="begin" type="datetime-local" className={inputClass} value={value.begin} onChange={(e) => onChange({ ...value, begin: e.target.value })} />
      </Field>
      <Field name="end" label={labels.end} error={errors.end}>
        <input name="end" type="datetime-local" className={inputClass} value={value.end} onChange={(e) => onChange({ ...value, end: e.target.value })} />
      </Field>
    </>
  );
}

export function Pager({ page, pages, onPage, label }: { page: number; pages: number; onPage: (page: number) => void; label: string }) {
  if (pages <= 1) return null;
  return (
    <nav aria-label={label} className="flex items-center gap-2 text-sm">
      <button type="button" className={smallButton} disabled={page <= 1} onClick={() => onPage(page - 1)} aria-label="Previous page">
        ‹
      </button>
      <span className="tabular-nums">
        {page} / {pages}
      </span>
      <button type="button" className={smallButton} disabled={page >= pages} onClick={() => onPage(page + 1)} aria-label="Next page">
        ›
      </button>
    </nav>
  );
}
