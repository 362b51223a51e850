/** LanguageCode bytes of the ROCKETMQ binary header (LanguageCode.java). */
export const LanguageCode = {
  JAVA: 0,
  CPP: 1,
  DOTNET: 2,
  PYTHON: 3,
  DELPHI: 4,
  ERLANG: 5,
  RUBY: 6,
  OTHER: 7,
  HTTP: 8,
  GO: 9,
  PHP: 10,
  OMS: 11,
  RUST: 12,
  NODE_JS: 13,
} as const;

const NAMES = new Map<number, string>(Object.entries(LanguageCode).map(([name, code]) => [code, name]));

export function languageName(code: number): string {
  return NAMES.get(code) ?? 'OTHER';
}

export function languageByte(name: string): number {
  return (LanguageCode as Record<string, number>)[name] ?? LanguageCode.OTHER;
}

/** MQVersion ordinals we care about. We speak as a 4.9.4 peer: 4.x clients expect it and parse its formats. */
export const MQVersion = {
  V4_0_0: 213,
  V4_9_0: 393,
  V4_9_4: 401,
  V5_0_0: 413,
} as const;

export const OUR_LANGUAGE = 'JAVA';
export const OUR_VERSION = MQVersion.V4_9_4;
