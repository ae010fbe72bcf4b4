/** The report: the results table, the target checks, and the JSON file under bench/results. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, platform, release } from 'node:os';
import { join, relative } from 'node:path';
import { TARGETS, type Args, type Mode } from './cli.js';
import { ROOT } from './common.js';
import { FIXED_LANES, WEBHOOK_PATH } from './load.js';
import type { RunResult } from './run.js';
import { fmtExit, type StopReport } from './service.js';
import { postgresInfo, redact } from './storage.js';

const RESULTS_DIR = join(ROOT, 'bench', 'results');

export interface Machine {
  cores: number;
  cpuModel: string;
  node: string;
  os: string;
  postgres: Record<string, string> | string;
}

export interface Bench {
  startedAt: Date;
  /** How to run the same bench again. */
  command: string;
  machine: Machine;
  args: Args;
  results: RunResult[];
  /** Directory of the service logs. */
  logs: string;
}

interface TargetCheck {
  name: string;
  target: string;
  measured: string;
  verdict: 'PASS' | 'MISS' | 'FAIL' | 'n/a' | 'info';
}

export async function describeMachine(args: Args): Promise<Machine> {
  const cpu = cpus();
  return {
    cores: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    node: process.version,
    os: `${platform()} ${release()}`,
    postgres: args.modes.includes('postgres') ? await postgresInfo(args.adminUrl) : 'not used',
  };
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const show = (n: number | null | undefined): string =>
  n === null || n === undefined ? '-' : String(n);

function exitCell(stop: StopReport | undefined): string {
  if (stop === undefined) return '-';
  if (stop.crashed) return `died ${fmtExit(stop)}`;
  if (stop.killed) return 'KILLED';
  return `${stop.signal ?? stop.code} ${(stop.ms / 1000).toFixed(1)}s`;
}

const RESULT_HEADER = [
  'mode',
  'load',
  'dur s',
  'boot s',
  'acc ev/s',
  'p50 ms',
  'p99 ms',
  'non-2xx',
  'errors',
  'acked',
  'rows',
  'lost',
  'exit',
  'cpu svc/bench/all',
];

function resultRows(results: RunResult[]): string[][] {
  return results.map((r) =>
    r.status === 'failed'
      ? [r.mode, r.offered, 'FAILED', '', '', '', '', '', '', '', '', '', '', '']
      : [
          r.mode,
          r.offered,
          show(r.seconds),
          show(r.bootSeconds),
          show(r.acceptedPerSec),
          show(r.latencyMs?.p50),
          show(r.latencyMs?.p99),
          show(r.measured?.non2xx),
          show(r.measured?.errors),
          show(r.acked),
          show(r.rows),
          show(r.lost),
          exitCell(r.stop),
          r.cpuCores
            ? `${show(r.cpuCores.service)}/${r.cpuCores.bench}/${r.cpuCores.machine}`
            : '-',
        ],
  );
}

/** Performance targets are defined for Postgres only: the embedded figures are informative. */
function verdict(
  mode: Mode,
  measured: number | null,
  met: (n: number) => boolean,
): TargetCheck['verdict'] {
  if (measured === null) return 'n/a';
  if (mode !== 'postgres') return 'info';
  return met(measured) ? 'PASS' : 'MISS';
}

function targetChecks(results: RunResult[], args: Args): TargetCheck[] {
  const find = (mode: Mode, load: RunResult['load']): RunResult | undefined =>
    results.find((r) => r.mode === mode && r.load === load && r.status === 'ok');
  const checks: TargetCheck[] = [];
  const atRate =
    args.rate === TARGETS.fixedRate ? '' : ` (target is defined at ${TARGETS.fixedRate} ev/s)`;
  for (const mode of args.modes) {
    if (args.loads.includes('saturation')) {
      const accepted = find(mode, 'saturation')?.acceptedPerSec ?? null;
      checks.push({
        name: `${mode} accepted ev/s at saturation`,
        target: `>= ${TARGETS.saturationEvPerSec}`,
        measured: show(accepted),
        verdict: verdict(mode, accepted, (n) => n >= TARGETS.saturationEvPerSec),
      });
    }
    if (args.loads.includes('fixed')) {
      const p99 = find(mode, 'fixed')?.latencyMs?.p99 ?? null;
      checks.push({
        name: `${mode} p99 ack at ${args.rate} ev/s${atRate}`,
        target: `<= ${TARGETS.p99AtFixedMs} ms`,
        measured: p99 === null ? '-' : `${p99} ms`,
        verdict: verdict(mode, p99, (n) => n <= TARGETS.p99AtFixedMs),
      });
    }
  }
  const ok = results.filter((r) => r.status === 'ok');
  const lost = ok.reduce((a, r) => a + (r.lost ?? 0), 0);
  checks.push({
    name: 'lost acknowledged events (all runs)',
    target: '0',
    measured: String(lost),
    verdict: ok.length === 0 ? 'n/a' : lost === 0 ? 'PASS' : 'FAIL',
  });
  return checks;
}

function summary(bench: Bench, checks: TargetCheck[]): string[] {
  const { machine, args, results } = bench;
  const pgInfo =
    typeof machine.postgres === 'string'
      ? machine.postgres
      : `${machine.postgres.server_version ?? '?'} (synchronous_commit=${machine.postgres.synchronous_commit ?? '?'}, fsync=${machine.postgres.fsync ?? '?'})`;
  const out: string[] = [
    '',
    `Ingest benchmark, ${bench.startedAt.toISOString()}`,
    `machine: ${machine.cores} cores (${machine.cpuModel}), node ${machine.node}, ${machine.os}; postgres ${pgInfo}`,
    `load: POST ${WEBHOOK_PATH}, unique signed customer.updated events, pipelining 1, warm-up ${args.warmup} s (counted in acked/rows)`,
    '',
    table(RESULT_HEADER, resultRows(results)),
    '',
    'acc ev/s = 2xx in the measured run / its duration; p50/p99 = ack latency of 2xx; non-2xx and',
    'errors are for the measured run; acked/rows/lost include the warm-up; lost = acknowledged ids',
    'missing from inbox_events; exit = how the service ended after SIGTERM; cpu = cores used.',
    '',
    table(
      ['target', 'wanted', 'measured', 'verdict'],
      checks.map((c) => [c.name, c.target, c.measured, c.verdict]),
    ),
  ];
  const warnings = results.flatMap((r) =>
    [...(r.error ? [`FAILED: ${r.error}`] : []), ...r.warnings].map(
      (w) => `  [${r.mode} ${r.load}] ${w}`,
    ),
  );
  if (warnings.length > 0) out.push('', 'notes:', ...warnings);
  return out;
}

function saveResults(bench: Bench, checks: TargetCheck[]): string {
  const { startedAt, args } = bench;
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `ingest-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  const json = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: bench.command,
    machine: bench.machine,
    options: { ...args, adminUrl: redact(args.adminUrl), fixedLanes: FIXED_LANES },
    targets: TARGETS,
    checks,
    runs: bench.results,
    logs: bench.logs,
  };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  return file;
}

/** Writes the JSON results and returns the text report to print. */
export function report(bench: Bench): string {
  const checks = targetChecks(bench.results, bench.args);
  const out = summary(bench, checks);
  const file = saveResults(bench, checks);
  out.push(
    '',
    `service logs: ${bench.logs}`,
    `results: ${relative(process.cwd(), file)}`,
    `rerun: ${bench.command}`,
  );
  return out.join('\n');
}
