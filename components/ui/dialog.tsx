'use client';
import { useEffect, type ReactNode } from 'react';

/** A modal dialog: Escape or the close button dismisses it. */
export function Dialog({ title, onClose, children, closeLabel = 'Close' }: { title: string; onClose: () => void; children: ReactNode; closeLabel?: string }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="fixed inset-0 z-30 flex items-start justify-center overflow-y-auto bg-black/40 p-6" onClick={onClose}>
      <div role="dialog" aria-modal="true" aria-label={title} onClick={(e) => e.stopPropagation()} className="w-full max-w-4xl rounded-lg bg-white p-5 shadow-xl dark:bg-slate-900">
        <div className="mb-3 flex items-center">
          <h2 className="text-lg font-semibold">{title}</h2>
          <button type="button" onClick={onClose} className="ml-auto rounded border border-slate-300 px-2 py-1 text-xs dark:border-slate-700">
            {closeLabel}
          </button>
        </div>
        {children}
      </div>
    </div>
  );
}
