/** The bench's command line: options, their defaults, the usage text, and the targets. */
import { parseArgs } from 'node:util';
import { BenchError } from './common.js';

export type Mode = 'postgres' | 'embedded';
export type LoadKind = 'fixed' | 'saturation';

export interface Args {
  duration: number;
  warmup: number;
  modes: Mode[];
  loads: LoadKind[];
  rate: number;
  connections: number;
  adminUrl: string;
}

/** Performance targets; the fixed-rate one is also the default --rate. */
export const TARGETS = { saturationEvPerSec: 5_000, p99AtFixedMs: 20, fixedRate: 1_000 } as const;

const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const MODES: Mode[] = ['postgres', 'embedded'];
const LOADS: LoadKind[] = ['fixed', 'saturation'];

export const USAGE = `usage: npm run bench:ingest -- [options]
  --duration N        seconds per measured run (default 20)
  --warmup N          seconds of warm-up before each measured run, 0 for none (default 2)
  --only MODE         postgres | embedded (default both)
  --load LOAD         fixed | saturation (default both)
  --rate N            events/s of the fixed-rate load (default 1000)
  --connections N     connections of the saturation load (default 100)`;

function positiveInt(name: string, raw: string, min: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    throw new BenchError(`--${name}: expected a whole number >= ${min}, got "${raw}"`);
  }
  return n;
}

/** The parsed options, or null when --help was asked for. */
export function parseCli(argv: string[]): Args | null {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      duration: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '2' },
      only: { type: 'string' },
      load: { type: 'string' },
      rate: { type: 'string', default: String(TARGETS.fixedRate) },
      connections: { type: 'string', default: '100' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return null;
  if (values.only !== undefined && !MODES.includes(values.only as Mode)) {
    throw new BenchError(`--only: expected postgres or embedded, got "${values.only}"`);
  }
  if (values.load !== undefined && !LOADS.includes(values.load as LoadKind)) {
    throw new BenchError(`--load: expected fixed or saturation, got "${values.load}"`);
  }
  return {
    duration: positiveInt('duration', values.duration, 1),
    warmup: positiveInt('warmup', values.warmup, 0),
    modes: values.only === undefined ? MODES : [values.only as Mode],
    loads: values.load === undefined ? LOADS : [values.load as LoadKind],
    rate: positiveInt('rate', values.rate, 1),
    connections: positiveInt('connections', values.connections, 1),
    adminUrl: process.env.BENCH_DATABASE_URL ?? DEFAULT_ADMIN_URL,
  };
}
