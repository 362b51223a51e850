'use client';
/** Sign-in: user name and password; on success to the page that sent here (or the one-time password change). */
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useSession } from '@/components/security/session';
import { errorsOf, Field, inputClass, primaryButton, useValidation } from '@/components/ui/form';
import { ErrorNote } from '@/components/ui/table';
import { fetchJson } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import { loginSchema } from '@/lib/validation';

/** Only a path of this console, never another site (an open redirect). */
function nextPath(): string {
  const next = new URLSearchParams(window.location.search).get('next') ?? '/';
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') && !next.startsWith('/login') ? next : '/';
}

export default function LoginPage() {
  const { t, lang, setLang } = useI18n();
  const session = useSession();
  const [form, setForm] = useState({ user: '', password: '' });
  const { errors, setErrors, validate } = useValidation(loginSchema);
  const login = useMutation({
    mutationFn: (body: { user: string; password: string }) => fetchJson<{ user: { mustChangePassword: boolean } }>('/api/auth/login', { method: 'POST', body: JSON.stringify(body) }),
    onSuccess: (result) => window.location.assign(result.user.mustChangePassword ? '/account?required=1' : nextPath()),
    onError: (err) => setErrors(errorsOf(err)),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const valid = validate(form);
    if (valid) login.mutate(valid);
  };
  const off = session.data && !session.data.authRequired;
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <div className="mb-6 flex items-center gap-2">
        <span aria-hidden className="inline-block h-3 w-3 rounded-sm bg-orange-500" />
        <h1 className="text-xl font-semibold">{t('security.signInTitle')}</h1>
        <button type="button" onClick={() => setLang(lang === 'en' ? 'zh' : 'en')} className="ml-auto rounded border border-slate-300 px-2 py-1 text-xs dark:border-slate-700">
          {t('shell.language')}
        </button>
      </div>
      {off ? (
        <p className="text-sm">
          {t('security.signInOffHint')}{' '}
          <a href="/" className="text-sky-700 underline dark:text-sky-400">
            {t('nav.dashboard')}
          </a>
        </p>
      ) : (
        <form onSubmit={submit} noValidate className="space-y-4">
          <Field name="user" label={t('security.userName')} error={errors.user}>
            <input name="user" autoComplete="username" autoFocus className={inputClass} value={form.user} onChange={(e) => setForm({ ...form, user: e.target.value })} aria-invalid={!!errors.user} />
          </Field>
          <Field name="password" label={t('security.password')} error={errors.password}>
            <input name="password" type="password" autoComplete="current-password" className={inputClass} value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} aria-invalid={!!errors.password} />
          </Field>
          {errors._ && <ErrorNote message={errors._} />}
          <button type="submit" disabled={login.isPending} className={`${primaryButton} w-full`}>
            {login.isPending ? t('common.loading') : t('security.signIn')}
          </button>
          <p className="text-xs text-slate-500">{t('security.firstRunHint')}</p>
        </form>
      )}
    </div>
  );
}
