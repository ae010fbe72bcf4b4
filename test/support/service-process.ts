import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const MAIN_JS = `${ROOT}dist/main.js`;

export interface ServiceProcess {
  proc: ChildProcess;
  output(): string;
  /** Resolves with the base URL once the service logs that it listens. */
  listening(timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code. */
  exited(timeoutMs?: number): Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs the built service (`node dist/main.js`) as the Docker image would. */
export function spawnService(env: Record<string, string>): ServiceProcess {
  if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run \`npm run build\` first`);
  const proc = spawn(process.execPath, [MAIN_JS], {
    cwd: ROOT,
    // Only what the test gives: nothing leaks in from the developer's shell or a .env.
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));

  const withTimeout = <T>(p: Promise<T>, ms: number, what: string) =>
    Promise.race([
      p,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`${what} within ${ms} ms; output:\n${out}`)), ms).unref(),
      ),
    ]);

  return {
    proc,
    output: () => out,
    listening(timeoutMs = 30_000) {
      return withTimeout(
        new Promise<string>((resolve, reject) => {
          const check = () => {
            const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
            if (m?.[1]) return resolve(m[1]);
            if (proc.exitCode !== null)
              return reject(new Error(`exited ${proc.exitCode}:\n${out}`));
            setTimeout(check, 50);
          };
          check();
        }),
        timeoutMs,
        'did not listen',
      );
    },
    exited: (timeoutMs = 30_000) => withTimeout(exit, timeoutMs, 'did not exit'),
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null) proc.kill(signal);
      return withTimeout(exit, 15_000, 'did not stop');
    },
  };
}
