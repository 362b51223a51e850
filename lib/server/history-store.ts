/**
 * The console's embedded history store: what the collector (metrics.ts) samples every minute, as append-only
 * text files under ROCKETDECK_HOME/console/metrics/, one folder per local calendar day (the Dashboard's day):
 *
 *   <yyyy-mm-dd>/samples.jsonl      one line per sample: {"t":ms,"ms":cost,"brokers":{"broker-a#0":{"put":..,"get":..}},"topics":n,"groups":n}
 *   <yyyy-mm-dd>/topic-<nn>.jsonl   ["topic",t,inTps,outTps]                    topics that had traffic in the sample
 *   <yyyy-mm-dd>/group-<nn>.jsonl   ["group",t,lag,consumeTps,produceTps]       groups with lag or traffic
 *   <yyyy-mm-dd>/totals.json        {"topic": messages stored that day}         the Dashboard's top 10 (replaced atomically)
 *
 * <nn> is one of HISTORY_BUCKETS buckets by a hash of the name, so one topic's or group's series is read from
 * one file per day, not from every sample. An entity missing at a sample time was zero; a time without a
 * sample line is a gap. A rate the collector could not know yet (the first sample after a start, marked
 * noRates) is null.
 * A torn last line (crash mid-write) is skipped by readers, and the next append starts a fresh line.
 * Bounded: days older than the retention go, and past HISTORY_BYTES_MAX the oldest days go first; when today
 * alone is over it, today's series stop and the sample lines count what was dropped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { HISTORY_BYTES_MAX, HISTORY_RETENTION_DAYS, HISTORY_SERIES_PER_SAMPLE_MAX } from '@broker/config/limits';
import { dayOf } from '@/lib/fetch-json';

export type SeriesKind = 'topic' | 'group';

/** The values of one series point, in file order. */
export const SERIES_FIELDS = { topic: ['inTps', 'outTps'], group: ['lag', 'consumeTps', 'produceTps'] } as const;

export type SeriesValues = (number | null)[];

export interface SampleRecord {
  /** Sample time, ms. */
  t: number;
  /** How long the sample took, ms. */
  ms: number;
  /** "brokerName#id" → produce and consume TPS. */
  brokers: Record<string, { put: number; get: number }>;
  /** Topics and groups written with this sample. */
  topics: number;
  groups: number;
  /** Series left out of this sample (over HISTORY_SERIES_PER_SAMPLE_MAX or the byte budget). */
  dropped?: number;
  /** The first sample after a start: rates were not known (a name missing here has null rates, not zero). */
  noRates?: boolean;
}

export interface SampleWrite {
  sample: SampleRecord;
  topics: Map<string, SeriesValues>;
  groups: Map<string, SeriesValues>;
  /** Messages each topic gained since the previous sample (adds up into the day's totals). */
  topicMessages: Map<string, number>;
}

export interface SeriesPoint {
  t: number;
  v: SeriesValues;
}

const HISTORY_BUCKETS = 32;
const DAY_DIR = /^\d{4}-\d{2}-\d{2}$/;
/** The collector's files before this store (one line per sample, a day per file): still read, removed by retention. */
const LEGACY_DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.jsonl$/;

export function historyDir(home = process.env.ROCKETDECK_HOME || path.resolve('data')): string {
  return path.join(home, 'console', 'metrics');
}

/** FNV-1a over the name's UTF-16 units: a stable bucket, the same in every process. */
export function bucketOf(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % HISTORY_BUCKETS;
}

function seriesFile(kind: SeriesKind, name: string): string {
  return `${kind}-${String(bucketOf(name)).padStart(2, '0')}.jsonl`;
}

/** Local calendar days from the one holding `fromMs` to the one holding `toMs`. */
export function daysBetween(fromMs: number, toMs: number): string[] {
  const days: string[] = [];
  const last = dayOf(toMs);
  const d = new Date(fromMs);
  d.setHours(12, 0, 0, 0); // noon: adding a day never skips or repeats one across a DST change
  for (let i = 0; i < 400; i++) {
    const day = dayOf(d.getTime());
    if (day > last) break;
    days.push(day);
    d.setDate(d.getDate() + 1);
  }
  return days;
}

/** Lines of a text file, or none when it does not exist. */
function readLines(file: string): string[] {
  try {
    return fs.readFileSync(file, 'utf8').split('\n');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Files at most this big are read whole; bigger ones from the first line at or after the range's start. */
const WHOLE_FILE_BYTES_MAX = 512 * 1024;
/** Bytes read to find one line's time while searching a file. */
const PROBE_BYTES = 4096;

/**
 * Lines of a series file from the first one written at or after `fromMs` (lines are appended in time order):
 * a big file is binary-searched by byte offset, so the last hour of a day costs a twenty-fourth of the day.
 */
function readLinesFrom(file: string, fromMs: number): string[] {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  try {
    const size = fs.fstatSync(fd).size;
    let start = 0;
    if (size > WHOLE_FILE_BYTES_MAX) {
      // Invariant: the line starting at or after `low` may be before fromMs; the one after `high` is not.
      let low = 0;
      let high = size;
      const probe = Buffer.alloc(PROBE_BYTES);
      while (high - low > PROBE_BYTES) {
        const middle = Math.floor((low + high) / 2);
        const read = fs.readSync(fd, probe, 0, PROBE_BYTES, middle);
        const text = probe.toString('utf8', 0, read);
        const newline = text.indexOf('\n');
        const t = newline < 0 ? null : lineTime(text.slice(newline + 1));
        if (t !== null && t < fromMs) low = middle;
        else high = middle;
      }
      start = low;
    }
    const buffer = Buffer.alloc(size - start);
    fs.readSync(fd, buffer, 0, buffer.length, start);
    const lines = buffer.toString('utf8').split('\n');
    if (start > 0) lines.shift(); // a partial line where the search landed
    return lines;
  } finally {
    fs.closeSync(fd);
  }
}

/** The time of a series line `["name",t,…` (null when it is not one, or is cut before its time ends). */
function lineTime(line: string): number | null {
  const match = /^\["(?:[^"\\]|\\.)*",(\d+)[,\]]/.exec(line);
  return match ? Number(match[1]) : null;
}

/** The name at the start of a series line `["name",…`, without parsing the rest. */
function lineName(line: string): string | null {
  if (!line.startsWith('["')) return null;
  const end = line.indexOf('",', 2);
  if (end < 0) return null;
  const raw = line.slice(2, end);
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return null;
  }
}

export interface HistoryStoreOptions {
  dir?: string;
  retentionDays?: number;
  bytesMax?: number;
}

export function historyOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): HistoryStoreOptions {
  const days = Number(env.ROCKETDECK_HISTORY_DAYS);
  const megabytes = Number(env.ROCKETDECK_HISTORY_MAX_MB);
  return {
    ...(Number.isInteger(days) && days >= 1 ? { retentionDays: days } : {}),
    ...(Number.isFinite(megabytes) && megabytes > 0 ? { bytesMax: Math.round(megabytes * 1024 * 1024) } : {}),
  };
}

export class HistoryStore {
  readonly dir: string;
  readonly retentionDays: number;
  readonly bytesMax: number;
  /** Bytes on disk per day folder (legacy day files counted under their day). */
  readonly #bytes = new Map<string, number>();
  /** Files this process has appended to (a torn last line was dealt with on the first append). */
  readonly #opened = new Set<string>();
  #totals: { day: string; table: Map<string, number> } | null = null;

  constructor(options: HistoryStoreOptions = {}) {
    this.dir = options.dir ?? historyDir();
    this.retentionDays = options.retentionDays ?? HISTORY_RETENTION_DAYS;
    this.bytesMax = options.bytesMax ?? HISTORY_BYTES_MAX;
    this.#measure();
  }

  /** Bytes the store holds now. */
  diskBytes(): number {
    let sum = 0;
    for (const bytes of this.#bytes.values()) sum += bytes;
    return sum;
  }

  /** Bytes of one day. */
  dayBytes(day: string): number {
    return this.#bytes.get(day) ?? 0;
  }

  /** Appends one sample and its series; applies retention and the byte budget. */
  append(write: SampleWrite): SampleRecord {
    const day = dayOf(write.sample.t);
    this.#enforce(day);
    const { t, ms, brokers, noRates } = write.sample;
    const sample: SampleRecord = { t, ms, brokers, topics: 0, groups: 0, ...(noRates ? { noRates } : {}) };
    let dropped = write.sample.dropped ?? 0;
    const budgetLeft = this.bytesMax - this.diskBytes();
    const lines = new Map<string, string[]>();
    const collect = (kind: SeriesKind, series: Map<string, SeriesValues>) => {
      let written = 0;
      for (const [name, values] of series) {
        if (written >= HISTORY_SERIES_PER_SAMPLE_MAX || budgetLeft <= 0) {
          dropped++;
          continue;
        }
        const file = seriesFile(kind, name);
        let list = lines.get(file);
        if (!list) lines.set(file, (list = []));
        list.push(JSON.stringify([name, sample.t, ...values]));
        written++;
      }
      return written;
    };
    sample.topics = collect('topic', write.topics);
    sample.groups = collect('group', write.groups);
    if (dropped > 0) sample.dropped = dropped;
    const folder = path.join(this.dir, day);
    fs.mkdirSync(folder, { recursive: true });
    for (const [file, list] of lines) this.#appendLines(day, path.join(folder, file), list);
    this.#appendLines(day, path.join(folder, 'samples.jsonl'), [JSON.stringify(sample)]);
    if (write.topicMessages.size > 0 && budgetLeft > 0) this.#addTotals(day, write.topicMessages);
    return sample;
  }

  /** Sample lines between two times (inclusive), oldest first; legacy day files included. */
  samples(fromMs: number, toMs: number): SampleRecord[] {
    const out: SampleRecord[] = [];
    for (const day of daysBetween(fromMs, toMs)) {
      for (const s of this.#daySamples(day)) if (s.t >= fromMs && s.t <= toMs) out.push(s);
    }
    return out.sort((a, b) => a.t - b.t);
  }

  /**
   * The series of each name between two times: one point per sample time (zeros where the name was not
   * written), oldest first. Each day's bucket file is read once for all the names in it.
   */
  series(kind: SeriesKind, names: readonly string[], fromMs: number, toMs: number): Map<string, SeriesPoint[]> {
    const width = SERIES_FIELDS[kind].length;
    const wanted = new Set(names);
    const found = new Map<string, Map<number, SeriesValues>>([...wanted].map((n) => [n, new Map()]));
    const files = new Set([...wanted].map((n) => seriesFile(kind, n)));
    const days = daysBetween(fromMs, toMs);
    for (const day of days) {
      for (const file of files) {
        for (const line of readLinesFrom(path.join(this.dir, day, file), fromMs)) {
          const name = lineName(line);
          if (name === null || !wanted.has(name)) continue;
          const parsed = parseSeriesLine(line, width);
          if (parsed && parsed.t >= fromMs && parsed.t <= toMs) found.get(name)!.set(parsed.t, parsed.v);
        }
      }
    }
    const samples = this.samples(fromMs, toMs);
    if (kind === 'topic') this.#legacyTopicPoints(days, fromMs, toMs, found);
    const zero = Array.from({ length: width }, () => 0);
    // Without rates every rate is unknown; a group's lag (a level) is still known: zero.
    const unknown = SERIES_FIELDS[kind].map((field) => (field === 'lag' ? 0 : null));
    const out = new Map<string, SeriesPoint[]>();
    for (const [name, points] of found) out.set(name, samples.map((s) => ({ t: s.t, v: points.get(s.t) ?? (s.noRates ? unknown : zero) })));
    return out;
  }

  /** Messages stored per topic in a day (today's as of the last sample). */
  dayTotals(day: string): Map<string, number> {
    if (this.#totals?.day === day) return new Map(this.#totals.table);
    return this.#readTotals(day);
  }

  // ---------------------------------------------------------------- writing

  #appendLines(day: string, file: string, lines: string[]): void {
    let text = lines.join('\n') + '\n';
    if (!this.#opened.has(file)) {
      this.#opened.add(file);
      if (endsWithoutNewline(file)) text = '\n' + text; // a torn last line stays one bad line, never glued to a good one
    }
    fs.appendFileSync(file, text);
    this.#bytes.set(day, (this.#bytes.get(day) ?? 0) + Buffer.byteLength(text));
  }

  #addTotals(day: string, added: Map<string, number>): void {
    if (this.#totals?.day !== day) this.#totals = { day, table: this.#readTotals(day) };
    const table = this.#totals.table;
    for (const [topic, messages] of added) table.set(topic, (table.get(topic) ?? 0) + messages);
    const file = path.join(this.dir, day, 'totals.json');
    const text = JSON.stringify(Object.fromEntries(table));
    const before = fileBytes(file);
    fs.writeFileSync(`${file}.tmp`, text);
    fs.renameSync(`${file}.tmp`, file);
    this.#bytes.set(day, (this.#bytes.get(day) ?? 0) - before + Buffer.byteLength(text));
  }

  /** Retention by age, then the byte budget (never today's folder). */
  #enforce(today: string): void {
    const cutoff = new Date(`${today}T12:00:00`);
    cutoff.setDate(cutoff.getDate() - (this.retentionDays - 1));
    const oldest = dayOf(cutoff.getTime());
    for (const day of [...this.#bytes.keys()]) if (day < oldest) this.#removeDay(day);
    const days = [...this.#bytes.keys()].filter((d) => d !== today).sort();
    while (this.diskBytes() > this.bytesMax && days.length > 0) this.#removeDay(days.shift()!);
  }

  #removeDay(day: string): void {
    fs.rmSync(path.join(this.dir, day), { recursive: true, force: true });
    fs.rmSync(path.join(this.dir, `${day}.jsonl`), { force: true });
    this.#bytes.delete(day);
    for (const file of [...this.#opened]) if (file.includes(`${path.sep}${day}${path.sep}`)) this.#opened.delete(file);
  }

  #measure(): void {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(this.dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const entry of entries) {
      const full = path.join(this.dir, entry.name);
      if (entry.isDirectory() && DAY_DIR.test(entry.name)) {
        let sum = 0;
        for (const file of fs.readdirSync(full)) sum += fileBytes(path.join(full, file));
        this.#bytes.set(entry.name, (this.#bytes.get(entry.name) ?? 0) + sum);
      } else if (entry.isFile() && LEGACY_DAY_FILE.test(entry.name)) {
        const day = entry.name.slice(0, 10);
        this.#bytes.set(day, (this.#bytes.get(day) ?? 0) + fileBytes(full));
      }
    }
  }

  // ---------------------------------------------------------------- reading

  #daySamples(day: string): SampleRecord[] {
    const out: SampleRecord[] = [];
    for (const line of readLines(path.join(this.dir, day, 'samples.jsonl'))) {
      const s = parseJson(line) as Partial<SampleRecord> | null;
      if (s && typeof s.t === 'number' && s.brokers && typeof s.brokers === 'object') out.push({ t: s.t, ms: Number(s.ms ?? 0), brokers: s.brokers, topics: Number(s.topics ?? 0), groups: Number(s.groups ?? 0), ...(s.dropped ? { dropped: Number(s.dropped) } : {}), ...(s.noRates ? { noRates: true } : {}) });
    }
    for (const legacy of readLegacyDay(day, this.dir)) out.push({ t: legacy.t, ms: 0, brokers: legacy.brokers, topics: Object.keys(legacy.topics).length, groups: 0 });
    return out;
  }

  /** Topic in-TPS from the collector's legacy day files (they had no out-TPS). */
  #legacyTopicPoints(days: string[], fromMs: number, toMs: number, found: Map<string, Map<number, SeriesValues>>): void {
    for (const day of days) {
      for (const sample of readLegacyDay(day, this.dir)) {
        if (sample.t < fromMs || sample.t > toMs) continue;
        for (const [topic, points] of found) {
          const tps = sample.topics[topic];
          if (tps !== undefined) points.set(sample.t, [tps, null]);
        }
      }
    }
  }

  #readTotals(day: string): Map<string, number> {
    const raw = parseJson(readLines(path.join(this.dir, day, 'totals.json')).join('\n'));
    const table = new Map<string, number>();
    if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
      for (const [topic, messages] of Object.entries(raw)) if (typeof messages === 'number' && Number.isFinite(messages)) table.set(topic, messages);
    }
    return table;
  }
}

function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null; // a torn line
  }
}

function parseSeriesLine(line: string, width: number): SeriesPoint | null {
  const row = parseJson(line);
  if (!Array.isArray(row) || typeof row[1] !== 'number' || row.length !== width + 2) return null;
  const v = row.slice(2).map((x) => (typeof x === 'number' && Number.isFinite(x) ? x : null));
  return { t: row[1], v };
}

function fileBytes(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function endsWithoutNewline(file: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return false;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    fs.readSync(fd, last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    fs.closeSync(fd);
  }
}

/** One line of a legacy day file (before this store): broker TPS and the topics that grew. */
export interface LegacySample {
  t: number;
  brokers: Record<string, { put: number; get: number }>;
  topics: Record<string, number>;
}

/** The samples of a legacy day file (a torn last line after a crash is skipped). */
export function readLegacyDay(day: string, dir = historyDir()): LegacySample[] {
  if (!DAY_DIR.test(day)) return [];
  const out: LegacySample[] = [];
  for (const line of readLines(path.join(dir, `${day}.jsonl`))) {
    const s = parseJson(line) as LegacySample | null;
    if (s && typeof s.t === 'number' && s.brokers && s.topics) out.push(s);
  }
  return out;
}
