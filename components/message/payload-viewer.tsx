'use client';
/**
 * A message body, detected on the server (renderBody): JSON as a collapsible tree or pretty print, text with
 * its charset, binary as a hex dump; base64 and hex for any body; copy the current view, download the raw
 * bytes. What is cut is said explicitly. Everything is rendered as React text, never as HTML.
 */
import { useMemo, useState } from 'react';
import { smallButton } from '@/components/ui/form';
import { base64ToBytes, formatBytes, hexDump, hexToBytes } from '@/lib/explorer/format';
import { useI18n } from '@/lib/i18n';
import type { RenderedBody } from '@/lib/server/messages';
import { JsonTree } from './json-tree';

type View = 'tree' | 'pretty' | 'text' | 'hex' | 'base64';

/** Hex dumps of text bodies are cut here (a binary body's dump is already cut by the server). */
const HEX_DUMP_BYTES_MAX = 64 * 1024;

function viewsOf(body: RenderedBody): View[] {
  if (body.kind === 'json') return ['tree', 'pretty', 'text', 'hex', 'base64'];
  if (body.kind === 'text') return ['text', 'hex', 'base64'];
  if (body.kind === 'binary') return ['hex', 'base64'];
  return [];
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Not a secure context (plain http on another host): the old way.
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    const copied = document.execCommand('copy');
    area.remove();
    return copied;
  }
}

export function PayloadViewer({ body, downloadHref }: { body: RenderedBody; downloadHref?: string }) {
  const { t } = useI18n();
  const views = viewsOf(body);
  const [view, setView] = useState<View>(views[0] ?? 'text');
  const [copied, setCopied] = useState<string | null>(null);
  const hex = useMemo(() => {
    if (view !== 'hex') return null;
    const bytes = body.hex !== undefined ? hexToBytes(body.hex) : base64ToBytes(body.base64).subarray(0, HEX_DUMP_BYTES_MAX);
    return { dump: hexDump(bytes), bytes: bytes.length };
  }, [view, body]);
  const shown = view === 'pretty' ? body.pretty : view === 'text' ? body.text : view === 'base64' ? body.base64 : view === 'hex' ? hex?.dump : undefined;

  const notes: string[] = [];
  if (body.kind === 'binary') notes.push(t(`explorer.body.reason.${body.binaryReason ?? 'invalid-utf8'}`));
  if (body.truncated && body.shownBytes < body.size && view !== 'hex') notes.push(t('explorer.body.cut', { shown: formatBytes(body.shownBytes), size: formatBytes(body.size) }));
  if (view === 'hex' && hex && hex.bytes < body.size) notes.push(t('explorer.body.hexCut', { shown: formatBytes(hex.bytes), size: formatBytes(body.size) }));

  return (
    <section aria-label={t('message.body')} data-testid="payload-viewer">
      <div className="mb-1 flex flex-wrap items-center gap-2 text-sm">
        <h3 className="font-medium">{t('message.body')}</h3>
        <span data-testid="body-kind" className="rounded bg-slate-200 px-1.5 py-0.5 font-mono text-xs dark:bg-slate-700">
          {body.kind.toUpperCase()}
        </span>
        {body.charset && (
          <span data-testid="body-charset" className="rounded bg-slate-200 px-1.5 py-0.5 font-mono text-xs dark:bg-slate-700">
            {body.charset}
          </span>
        )}
        <span className="text-xs text-slate-500">{t('explorer.body.size', { bytes: body.size.toLocaleString('en-US') })}</span>
        <div role="group" aria-label={t('explorer.body.views')} className="flex gap-1">
          {views.map((v) => (
            <button key={v} type="button" aria-pressed={view === v} className={`rounded border px-2 py-0.5 text-xs ${view === v ? 'border-slate-800 bg-slate-800 text-white dark:border-slate-200 dark:bg-slate-200 dark:text-slate-900' : 'border-slate-300 dark:border-slate-700'}`} onClick={() => setView(v)}>
              {t(`explorer.body.view.${v}`)}
            </button>
          ))}
        </div>
        {shown !== undefined && (
          <button type="button" className={smallButton} onClick={() => void copyText(shown).then((ok) => setCopied(ok ? t('explorer.body.copied', { view: t(`explorer.body.view.${view}`) }) : t('explorer.body.copyFailed')))}>
            {t('message.copy')}
          </button>
        )}
        {downloadHref && body.kind !== 'empty' && (
          <a href={downloadHref} download className={smallButton}>
            {t('explorer.body.download')}
          </a>
        )}
        {copied && (
          <span role="status" className="text-xs text-emerald-700 dark:text-emerald-400">
            {copied}
          </span>
        )}
      </div>
      {notes.length > 0 && (
        <p data-testid="body-notes" className="mb-1 text-xs text-amber-700 dark:text-amber-400">
          {notes.join(' · ')}
        </p>
      )}
      {body.kind === 'empty' ? (
        <p className="text-sm text-slate-500">{t('message.emptyBody')}</p>
      ) : view === 'tree' && body.text !== undefined ? (
        <div data-testid="message-body" className="max-h-96 overflow-auto rounded bg-slate-100 p-3 dark:bg-slate-800">
          <JsonTree text={body.text} />
        </div>
      ) : (
        <pre data-testid="message-body" className={`max-h-96 overflow-auto ${view === 'hex' ? 'whitespace-pre' : 'whitespace-pre-wrap break-all'} rounded bg-slate-100 p-3 font-mono text-xs dark:bg-slate-800`}>
          {shown}
        </pre>
      )}
    </section>
  );
}
