/**
 * Real frames captured on loopback from RocketMQ 4.9.4 (Java client, broker, mqadmin) and ali-ons 3.12.0,
 * kept in broker-core/protocol/__fixtures__/ (format: `# ` comment lines, then the whole frame as hex).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'protocol', '__fixtures__');

export interface Fixture {
  name: string;
  frame: Buffer;
  /** The `# key: value` comment lines. */
  comments: Record<string, string>;
}

export function listFixtures(filter: (name: string) => boolean = () => true): string[] {
  return fs.readdirSync(FIXTURES_DIR).filter((name) => name.endsWith('.hex') && filter(name)).sort();
}

export function readFixture(name: string): Fixture {
  const text = fs.readFileSync(path.join(FIXTURES_DIR, name), 'utf8');
  const comments: Record<string, string> = {};
  let hex = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('# ')) {
      const colon = line.indexOf(':');
      if (colon > 2) {
        const key = line.slice(2, colon).trim();
        if (!(key in comments)) comments[key] = line.slice(colon + 1).trim();
      }
    } else {
      hex += line.trim();
    }
  }
  return { name, frame: Buffer.from(hex, 'hex'), comments };
}

export function loadFixture(name: string): Buffer {
  return readFixture(name).frame;
}

/** The `# header:` comment line parsed as JSON (the header as sent, or decoded for binary headers). */
export function fixtureHeader(fixture: Fixture): Record<string, unknown> {
  return JSON.parse(fixture.comments.header ?? '{}') as Record<string, unknown>;
}
