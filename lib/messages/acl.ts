/** Console strings of the acl pages, in English and Chinese (merged into lib/i18n.tsx). */
export const en = {
  'acl.brokerRefused': 'refused: {name} ({code})',
} as const;

export const zh: Record<keyof typeof en, string> = {
  'acl.brokerRefused': '拒绝访问：{name}（{code}）',
};
