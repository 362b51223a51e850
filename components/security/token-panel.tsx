'use client';
/** API tokens: create (the secret shown once, with a copy button), list, revoke. Admin only. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { errorsOf, Field, inputClass, primaryButton, dangerButton, smallButton, useValidation } from '@/components/ui/form';
import { ErrorNote, Table, td } from '@/components/ui/table';
import { fetchJson, formatTime } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/query-keys';
import type { PublicToken } from '@/lib/server/security/tokens';
import { createTokenSchema } from '@/lib/validation';

type TokenView = PublicToken;

export function TokenPanel() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const tokens = useQuery({ queryKey: queryKeys.tokens(), queryFn: () => fetchJson<{ tokens: TokenView[] }>('/api/tokens') });
  const [form, setForm] = useState({ name: '', role: 'read-only', expiresInDays: '90' });
  const { errors, setErrors, validate } = useValidation(createTokenSchema);
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const create = useMutation({
    mutationFn: (body: unknown) => fetchJson<{ token: TokenView; secret: string }>('/api/tokens', { method: 'POST', body: JSON.stringify(body) }),
    onSuccess: (r) => {
      setCreated({ name: r.token.name, secret: r.secret });
      setCopied(false);
      setForm({ ...form, name: '' });
      void queryClient.invalidateQueries({ queryKey: queryKeys.tokens() });
    },
    onError: (err) => setErrors(errorsOf(err)),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => fetchJson(`/api/tokens/${id}`, { method: 'DELETE' }),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: queryKeys.tokens() }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setCreated(null);
    const valid = validate(form);
    if (valid) create.mutate(valid);
  };
  const now = Date.now();
  const state = (k: TokenView) => (k.revokedAt ? t('access.revokedBy', { time: formatTime(k.revokedAt), who: k.revokedBy ?? '' }) : k.expiresAt && k.expiresAt <= now ? t('access.expired') : t('access.active'));
  return (
    <section aria-label={t('access.tokens')} className="space-y-3">
      <h2 className="text-lg font-medium">{t('access.tokens')}</h2>
      <p className="text-sm text-slate-500">{t('access.tokensExplain')}</p>
      <form onSubmit={submit} noValidate className="flex flex-wrap items-end gap-3">
        <Field name="token-name" label={t('access.tokenName')} error={errors.name} className="w-56">
          <input name="token-name" className={inputClass} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} aria-invalid={!!errors.name} placeholder="ci-deploy" />
        </Field>
        <Field name="token-role" label={t('access.role')} error={errors.role} className="w-36">
          <select name="token-role" className={inputClass} value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value })}>
            <option value="read-only">{t('security.role.readOnly')}</option>
            <option value="admin">{t('security.role.admin')}</option>
          </select>
        </Field>
        <Field name="token-days" label={t('access.expiresInDays')} error={errors.expiresInDays} className="w-36">
          <input name="token-days" inputMode="numeric" className={inputClass} value={form.expiresInDays} onChange={(e) => setForm({ ...form, expiresInDays: e.target.value })} aria-invalid={!!errors.expiresInDays} />
        </Field>
        <button type="submit" disabled={create.isPending} className={primaryButton}>
          {t('access.createToken')}
        </button>
      </form>
      {errors._ && <ErrorNote message={errors._} />}
      {created && (
        <div role="status" className="rounded-md border border-emerald-300 bg-emerald-50 p-3 text-sm dark:border-emerald-800 dark:bg-emerald-950">
          <p className="mb-1 font-medium">{t('access.tokenOnce', { name: created.name })}</p>
          <div className="flex items-center gap-2">
            <code data-testid="token-secret" className="select-all break-all rounded bg-white px-2 py-1 font-mono text-xs dark:bg-slate-900">
              {created.secret}
            </code>
            <button type="button" className={smallButton} onClick={() => void navigator.clipboard?.writeText(created.secret).then(() => setCopied(true))}>
              {copied ? t('access.copied') : t('access.copy')}
            </button>
          </div>
        </div>
      )}
      {tokens.error && <ErrorNote message={(tokens.error as Error).message} />}
      <Table testId="token-list" head={[t('access.tokenName'), t('access.role'), t('access.hint'), t('access.created'), t('access.expires'), t('access.lastUsed'), t('access.state'), '']}>
        {tokens.data?.tokens.length === 0 && (
          <tr>
            <td className={td} colSpan={8}>
              {t('access.noTokens')}
            </td>
          </tr>
        )}
        {tokens.data?.tokens.map((k) => (
          <tr key={k.id} className={k.revokedAt ? 'opacity-60' : ''}>
            <td className={`${td} font-mono`}>{k.name}</td>
            <td className={td}>{k.role}</td>
            <td className={`${td} font-mono text-xs`}>{k.hint}…</td>
            <td className={td}>
              {formatTime(k.createdAt)} <span className="text-xs text-slate-500">{k.createdBy}</span>
            </td>
            <td className={td}>{k.expiresAt ? formatTime(k.expiresAt) : t('access.never')}</td>
            <td className={td}>{formatTime(k.lastUsedAt)}</td>
            <td className={td}>{state(k)}</td>
            <td className={td}>
              {!k.revokedAt && (
                <button type="button" className={dangerButton} disabled={revoke.isPending} onClick={() => revoke.mutate(k.id)}>
                  {t('access.revoke')}
                </button>
              )}
            </td>
          </tr>
        ))}
      </Table>
    </section>
  );
}
