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

/**
 * The name of an MQVersion ordinal ("V4_9_4"). From 4.0.0 on, every x.y.z has a SNAPSHOT entry then a release
 * entry, z and y running 0–9: release ordinal = 213 + 200·(x−4) + 2·(10·y + z).
 */
export function versionName(ordinal: number): string {
  if (!Number.isInteger(ordinal) || ordinal < MQVersion.V4_0_0 - 1) return `version #${ordinal}`;
  const steps = ordinal - (MQVersion.V4_0_0 - 1);
  const index = Math.floor(steps / 2);
  const major = 4 + Math.floor(index / 100);
  const minor = Math.floor((index % 100) / 10);
  const patch = index % 10;
  return `V${major}_${minor}_${patch}${steps % 2 === 0 ? '_SNAPSHOT' : ''}`;
}

export const OUR_LANGUAGE = 'JAVA';
export const OUR_VERSION = MQVersion.V4_9_4;
