'use client';
/** The signed-in user: name, role, and a new password (forced after the one-time first password). */
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useSession } from '@/components/security/session';
import { errorsOf, Field, inputClass, primaryButton, useValidation } from '@/components/ui/form';
import { ErrorNote } from '@/components/ui/table';
import { fetchJson } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import { changePasswordSchema } from '@/lib/validation';

export default function AccountPage() {
  const { t } = useI18n();
  const session = useSession();
  const user = session.data?.user;
  const [form, setForm] = useState({ current: '', next: '', confirm: '' });
  const { errors, setErrors, validate } = useValidation(changePasswordSchema);
  const [done, setDone] = useState(false);
  const change = useMutation({
    mutationFn: (body: typeof form) => fetchJson('/api/auth/password', { method: 'POST', body: JSON.stringify(body) }),
    onSuccess: () => {
      setDone(true);
      setForm({ current: '', next: '', confirm: '' });
      if (user?.mustChangePassword) window.location.assign('/');
    },
    onError: (err) => setErrors(errorsOf(err)),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    const valid = validate(form);
    if (valid) change.mutate(form);
  };
  const input = (name: keyof typeof form, label: string, autoComplete: string) => (
    <Field name={name} label={label} error={errors[name]}>
      <input name={name} type="password" autoComplete={autoComplete} className={inputClass} value={form[name]} onChange={(e) => setForm({ ...form, [name]: e.target.value })} aria-invalid={!!errors[name]} />
    </Field>
  );
  return (
    <div className="max-w-md space-y-4">
      <h1 className="text-2xl font-semibold">{t('security.account')}</h1>
      {session.data && !session.data.authRequired && <p className="text-sm text-slate-500">{t('security.signInOffHint')}</p>}
      {user && (
        <p className="text-sm">
          {t('security.signedInAs', { name: user.name, role: t(user.role === 'admin' ? 'security.role.admin' : 'security.role.readOnly') })}
        </p>
      )}
      {user?.mustChangePassword && <p role="status" className="rounded border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">{t('security.mustChange')}</p>}
      {user?.kind === 'user' && (
        <form onSubmit={submit} noValidate className="space-y-3">
          <h2 className="text-lg font-medium">{t('security.changePassword')}</h2>
          {input('current', t('security.currentPassword'), 'current-password')}
          {input('next', t('security.newPassword'), 'new-password')}
          {input('confirm', t('security.repeatPassword'), 'new-password')}
          {errors._ && <ErrorNote message={errors._} />}
          {done && <p role="status" className="text-sm text-emerald-700 dark:text-emerald-400">{t('security.passwordChanged')}</p>}
          <button type="submit" disabled={change.isPending} className={primaryButton}>
            {t('security.changePassword')}
          </button>
        </form>
      )}
    </div>
  );
}
