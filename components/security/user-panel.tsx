'use client';
/** Console users: add, change role, remove. Admin only (the CLI does the same: rocketdeck user ...). */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useSession } from '@/components/security/session';
import { dangerButton, errorsOf, Field, inputClass, primaryButton, useValidation } from '@/components/ui/form';
import { ErrorNote, Table, td } from '@/components/ui/table';
import { fetchJson, formatTime } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/query-keys';
import type { PublicUser } from '@/lib/server/security/users';
import { createUserSchema } from '@/lib/validation';

type UserView = PublicUser;

export function UserPanel() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const me = useSession().data?.user?.name;
  const users = useQuery({ queryKey: queryKeys.users(), queryFn: () => fetchJson<{ users: UserView[] }>('/api/users') });
  const [form, setForm] = useState({ name: '', role: 'read-only', password: '' });
  const { errors, setErrors, validate } = useValidation(createUserSchema);
  const [note, setNote] = useState<string | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: queryKeys.users() });
  const add = useMutation({
    mutationFn: (body: unknown) => fetchJson<{ user: UserView }>('/api/users', { method: 'POST', body: JSON.stringify(body) }),
    onSuccess: (r) => {
      setNote(t('access.userAdded', { name: r.user.name }));
      setForm({ name: '', role: form.role, password: '' });
      refresh();
    },
    onError: (err) => setErrors(errorsOf(err)),
  });
  const change = useMutation({
    mutationFn: ({ name, role }: { name: string; role?: string }) => fetchJson(`/api/users/${encodeURIComponent(name)}`, role ? { method: 'PATCH', body: JSON.stringify({ role }) } : { method: 'DELETE' }),
    onError: (err) => setNote(Object.values(errorsOf(err))[0] ?? null),
    onSettled: refresh,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setNote(null);
    const valid = validate(form);
    if (valid) add.mutate(valid);
  };
  return (
    <section aria-label={t('access.users')} className="space-y-3">
      <h2 className="text-lg font-medium">{t('access.users')}</h2>
      <form onSubmit={submit} noValidate className="flex flex-wrap items-end gap-3">
        <Field name="user-name" label={t('security.userName')} error={errors.name} className="w-48">
          <input name="user-name" autoComplete="off" className={inputClass} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} aria-invalid={!!errors.name} />
        </Field>
        <Field name="user-role" label={t('access.role')} error={errors.role} className="w-36">
          <select name="user-role" className={inputClass} value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value })}>
            <option value="read-only">{t('security.role.readOnly')}</option>
            <option value="admin">{t('security.role.admin')}</option>
          </select>
        </Field>
        <Field name="user-password" label={t('security.password')} error={errors.password} className="w-56">
          <input name="user-password" type="password" autoComplete="new-password" className={inputClass} value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} aria-invalid={!!errors.password} />
        </Field>
        <button type="submit" disabled={add.isPending} className={primaryButton}>
          {t('access.addUser')}
        </button>
      </form>
      {errors._ && <ErrorNote message={errors._} />}
      {note && <p role="status" className="text-sm">{note}</p>}
      {users.error && <ErrorNote message={(users.error as Error).message} />}
      <Table testId="user-list" head={[t('security.userName'), t('access.role'), t('access.created'), t('access.passwordChanged'), '']}>
        {users.data?.users.map((u) => (
          <tr key={u.name}>
            <td className={`${td} font-mono`}>
              {u.name} {u.name === me && <span className="text-xs text-slate-500">({t('access.you')})</span>}
            </td>
            <td className={td}>
              <select aria-label={t('access.roleOf', { name: u.name })} className={`${inputClass} w-32`} value={u.role} disabled={change.isPending} onChange={(e) => change.mutate({ name: u.name, role: e.target.value })}>
                <option value="read-only">{t('security.role.readOnly')}</option>
                <option value="admin">{t('security.role.admin')}</option>
              </select>
            </td>
            <td className={td}>{formatTime(u.createdAt)}</td>
            <td className={td}>{u.mustChangePassword ? t('access.oneTime') : formatTime(u.passwordChangedAt)}</td>
            <td className={td}>
              {u.name !== me && (
                <button type="button" className={dangerButton} disabled={change.isPending} onClick={() => change.mutate({ name: u.name })}>
                  {t('common.remove')}
                </button>
              )}
            </td>
          </tr>
        ))}
      </Table>
    </section>
  );
}
