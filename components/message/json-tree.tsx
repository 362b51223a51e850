'use client';
/**
 * A JSON body as a collapsible tree (native <details>, so keyboard and screen readers work). Values are React
 * text, never HTML. Small bodies open fully; larger ones open two levels. Wide nodes show their first
 * JSON_TREE_CHILDREN_MAX children and say how many more there are (the pretty view shows everything).
 */
import { useMemo } from 'react';
import { countJsonNodes, parseJsonTree, type JsonNode } from '@/lib/explorer/json-view';
import { useI18n } from '@/lib/i18n';

const JSON_TREE_CHILDREN_MAX = 200;
const OPEN_ALL_NODES_MAX = 300;

function Scalar({ node }: { node: JsonNode }) {
  if (node.t === 'string') return <span className="break-all text-emerald-700 dark:text-emerald-400">&quot;{node.v}&quot;</span>;
  if (node.t === 'number') return <span className="text-sky-700 dark:text-sky-400">{node.v}</span>;
  if (node.t === 'boolean') return <span className="text-purple-700 dark:text-purple-400">{String(node.v)}</span>;
  return <span className="text-slate-500">null</span>;
}

function Node({ name, node, depth, openDepth }: { name: string | null; node: JsonNode; depth: number; openDepth: number }) {
  const { t } = useI18n();
  const label = name === null ? null : <span className="text-slate-600 dark:text-slate-300">{name}: </span>;
  if (node.t !== 'object' && node.t !== 'array') {
    return (
      <div className="pl-4">
        {label}
        <Scalar node={node} />
      </div>
    );
  }
  const children: [string, JsonNode][] = node.t === 'object' ? node.entries.map(([k, v]) => [JSON.stringify(k), v]) : node.items.map((v, i) => [String(i), v]);
  const [open, close] = node.t === 'object' ? ['{', '}'] : ['[', ']'];
  if (children.length === 0) {
    return (
      <div className="pl-4">
        {label}
        {open}
        {close}
      </div>
    );
  }
  return (
    <details open={depth < openDepth} className="pl-4">
      <summary className="cursor-pointer select-none">
        {label}
        {open}
        <span className="text-xs text-slate-500"> {t(node.t === 'object' ? 'explorer.json.keys' : 'explorer.json.items', { count: children.length })} </span>
      </summary>
      {children.slice(0, JSON_TREE_CHILDREN_MAX).map(([key, child], i) => (
        <Node key={i} name={key} node={child} depth={depth + 1} openDepth={openDepth} />
      ))}
      {children.length > JSON_TREE_CHILDREN_MAX && <div className="pl-4 text-xs text-slate-500">{t('explorer.json.more', { count: children.length - JSON_TREE_CHILDREN_MAX })}</div>}
      <div>{close}</div>
    </details>
  );
}

export function JsonTree({ text }: { text: string }) {
  const { t } = useI18n();
  const tree = useMemo(() => {
    try {
      return parseJsonTree(text.trim());
    } catch {
      return null;
    }
  }, [text]);
  if (!tree) return <p className="text-sm text-slate-500">{t('explorer.json.tooDeep')}</p>;
  const openDepth = countJsonNodes(tree, OPEN_ALL_NODES_MAX + 1) <= OPEN_ALL_NODES_MAX ? Number.POSITIVE_INFINITY : 2;
  return (
    <div data-testid="json-tree" className="-ml-4 font-mono text-xs leading-5">
      <Node name={null} node={tree} depth={0} openDepth={openDepth} />
    </div>
  );
}
