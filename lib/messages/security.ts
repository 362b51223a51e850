/** Console strings of the security pages, in English and Chinese (merged into lib/i18n.tsx). */
export const en = {} as const;

export const zh: Record<keyof typeof en, string> = {};
