'use client';
/**
 * Who is using the console, for the browser: useSession() (one cached /api/auth/session answer), useIsAdmin(),
 * and <AdminOnly> around every button that changes something, so read-only users do not see them. The server
 * refuses their writes anyway (proxy.ts): this only keeps the page honest.
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { fetchJson } from '@/lib/fetch-json';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/query-keys';

export interface SessionInfo {
  authRequired: boolean;
  user: { name: string; role: 'admin' | 'read-only'; kind: 'user' | 'token' | 'local'; mustChangePassword: boolean } | null;
}

export function useSession() {
  return useQuery({ queryKey: queryKeys.session(), queryFn: () => fetchJson<SessionInfo>('/api/auth/session'), staleTime: 60_000 });
}

/** True once the session is known to be an admin's (false while it loads, so nothing flashes for read-only users). */
export function useIsAdmin(): boolean {
  return useSession().data?.user?.role === 'admin';
}

/** Its children for admins; `fallback` (e.g. "read-only: ...") once the session is known not to be an admin's. */
export function AdminOnly({ children, fallback = null }: { children: ReactNode; fallback?: ReactNode }) {
  const { data } = useSession();
  if (data?.user?.role === 'admin') return <>{children}</>;
  return <>{data ? fallback : null}</>;
}

/** The header's user name, role and sign-out; a quiet note when sign-in is off. */
export function UserMenu() {
  const { t } = useI18n();
  const { data } = useSession();
  const logout = useMutation({
    mutationFn: () => fetchJson('/api/auth/logout', { method: 'POST', body: '{}' }),
    onSettled: () => window.location.assign('/login'),
  });
  if (!data) return null;
  if (!data.authRequired) {
    return (
      <span className="text-xs text-slate-500" title={t('security.signInOffHint')}>
        {t('security.signInOff')}
      </span>
    );
  }
  if (!data.user) return null;
  return (
    <span className="flex items-center gap-2 text-xs" data-testid="user-menu">
      <Link href="/account" className="font-medium underline-offset-2 hover:underline">
        {data.user.name}
      </Link>
      <span className={`rounded px-1.5 py-0.5 ${data.user.role === 'admin' ? 'bg-orange-100 text-orange-800 dark:bg-orange-900 dark:text-orange-100' : 'bg-slate-200 text-slate-700 dark:bg-slate-700 dark:text-slate-100'}`}>{t(data.user.role === 'admin' ? 'security.role.admin' : 'security.role.readOnly')}</span>
      <button type="button" onClick={() => logout.mutate()} disabled={logout.isPending} className="rounded border border-slate-300 px-2 py-1 dark:border-slate-700">
        {t('security.signOut')}
      </button>
    </span>
  );
}

/** Links of the security area, beside the main navigation (the admin-only one hidden from others). */
export function SecurityNav({ pathname, linkClass }: { pathname: string; linkClass: (active: boolean) => string }) {
  const { t } = useI18n();
  const admin = useIsAdmin();
  const links = [
    { href: '/audit', label: t('nav.audit') },
    { href: '/api-docs', label: t('nav.api') },
    ...(admin ? [{ href: '/access', label: t('nav.access') }] : []),
  ];
  return (
    <nav aria-label={t('security.nav')} className="flex gap-1 border-l border-slate-200 pl-2 dark:border-slate-700">
      {links.map((l) => (
        <Link key={l.href} href={l.href} aria-current={pathname.startsWith(l.href) ? 'page' : undefined} className={linkClass(pathname.startsWith(l.href))}>
          {l.label}
        </Link>
      ))}
    </nav>
  );
}
