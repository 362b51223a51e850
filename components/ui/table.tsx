import type { ReactNode } from 'react';

export function Table({ head, children, testId }: { head: ReactNode[]; children: ReactNode; testId?: string }) {
  return (
    <div className="overflow-x-auto rounded-md border border-slate-200 dark:border-slate-800">
      <table data-testid={testId} className="w-full text-left text-sm">
        <thead className="bg-slate-100 text-xs uppercase text-slate-600 dark:bg-slate-800 dark:text-slate-300">
          <tr>
            {head.map((h, i) => (
              <th key={i} className="whitespace-nowrap px-2.5 py-2 font-medium">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200 bg-white dark:divide-slate-800 dark:bg-slate-900">{children}</tbody>
      </table>
    </div>
  );
}

export const td = 'whitespace-nowrap px-2.5 py-2';

export function ErrorNote({ message }: { message: string }) {
  return (
    <p role="alert" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
      {message}
    </p>
  );
}

/** Name/value rows; sorted by name unless `sorted` is false (then in the object's order). */
export function KeyValueTable({ table, sorted = true }: { table: Record<string, string>; sorted?: boolean }) {
  return (
    <div className="max-h-[60vh] overflow-y-auto rounded border border-slate-200 dark:border-slate-800">
      <table className="w-full text-xs">
        <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
          {Object.entries(table)
            .sort(([a], [b]) => (sorted ? a.localeCompare(b) : 0))
            .map(([k, v]) => (
              <tr key={k}>
                <td className="w-1/3 px-2 py-1 font-mono text-slate-500">{k}</td>
                <td className="break-all px-2 py-1 font-mono">{v}</td>
              </tr>
            ))}
        </tbody>
      </table>
    </div>
  );
}
