'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import { SecurityNav, UserMenu } from '@/components/security/session';
import { useI18n, type MessageKey } from '@/lib/i18n';
import { LivenessBadge } from './liveness-badge';
import { ThemeToggle } from './theme-toggle';

const NAV: { href: string; label: MessageKey }[] = [
  { href: '/', label: 'nav.dashboard' },
  { href: '/cluster', label: 'nav.cluster' },
  { href: '/topic', label: 'nav.topic' },
  { href: '/consumer', label: 'nav.consumer' },
  { href: '/producer', label: 'nav.producer' },
  { href: '/message', label: 'nav.message' },
  { href: '/explorer', label: 'nav.explorer' },
  { href: '/dlq', label: 'nav.dlq' },
  { href: '/trace', label: 'nav.trace' },
  { href: '/alerts', label: 'nav.alerts' },
  { href: '/config', label: 'nav.config' },
  { href: '/ops', label: 'nav.ops' },
];

export function AppShell({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  const { t, lang, setLang } = useI18n();
  if (pathname === '/login') return <main className="mx-auto w-full max-w-md flex-1 px-4 py-16">{children}</main>;
  const linkClass = (active: boolean) => `rounded px-2.5 py-1.5 text-sm ${active ? 'bg-slate-900 text-white dark:bg-slate-100 dark:text-slate-900' : 'text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800'}`;
  return (
    <div className="flex min-h-screen flex-col">
      <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <div className="mx-auto flex max-w-[1600px] flex-wrap items-center gap-x-4 gap-y-2 px-4 py-2">
          <Link href="/" className="flex items-center gap-2 font-semibold tracking-tight">
            <span aria-hidden className="inline-block h-3 w-3 rounded-sm bg-orange-500" />
            Rocketdeck
          </Link>
          <nav aria-label="Main" className="flex gap-1">
            {NAV.map((item) => {
              const active = item.href === '/' ? pathname === '/' : pathname.startsWith(item.href);
              return (
                <Link
                  key={item.href}
                  href={item.href}
                  aria-current={active ? 'page' : undefined}
                  className={linkClass(active)}
                >
                  {t(item.label)}
                </Link>
              );
            })}
          </nav>
          <SecurityNav pathname={pathname} linkClass={linkClass} />
          <div className="ml-auto flex items-center gap-3">
            <LivenessBadge />
            <UserMenu />
            <button
              type="button"
              onClick={() => setLang(lang === 'en' ? 'zh' : 'en')}
              className="rounded border border-slate-300 px-2 py-1 text-xs dark:border-slate-700"
            >
              {t('shell.language')}
            </button>
            <ThemeToggle />
          </div>
        </div>
      </header>
      <main className="mx-auto w-full max-w-[1600px] flex-1 px-4 py-6">{children}</main>
    </div>
  );
}
