'use client';
import { useEffect, useState } from 'react';
import { useI18n } from '@/lib/i18n';

export function ThemeToggle() {
  const { t } = useI18n();
  const [dark, setDark] = useState(false);
  useEffect(() => setDark(document.documentElement.classList.contains('dark')), []);
  const toggle = () => {
    const next = !dark;
    setDark(next);
    document.documentElement.classList.toggle('dark', next);
    window.localStorage.setItem('rocketdeck.theme', next ? 'dark' : 'light');
  };
  return (
    <button type="button" onClick={toggle} aria-label={t('shell.theme')} title={t('shell.theme')} aria-pressed={dark} className="rounded border border-slate-300 px-2 py-1 text-xs dark:border-slate-700">
      {dark ? '☾' : '☀'}
    </button>
  );
}
