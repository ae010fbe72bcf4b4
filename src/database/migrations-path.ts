import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

type MigrationClass = new () => unknown;

/**
 * Migrations live in the top-level migrations/ folder as TypeScript. The service build puts
 * them in dist/migrations (beside this folder's parent); running from source, or from a build
 * that keeps the repository layout (the demo's), finds them two levels up.
 */
function migrationsDir(): { dir: string; ext: string } {
  const here = fileURLToPath(import.meta.url);
  const ext = here.endsWith('.ts') ? '.ts' : '.js';
  const candidates = [
    join(dirname(here), '..', 'migrations'),
    join(dirname(here), '..', '..', 'migrations'),
  ];
  const dir = candidates.find((d) => existsSync(d) && readdirSync(d).some((f) => f.endsWith(ext)));
  if (!dir) throw new Error(`no migrations found in ${candidates.join(' or ')}`);
  return { dir, ext };
}

/**
 * Imports every migration class, in file-name (timestamp) order. We import them ourselves
 * rather than hand TypeORM a glob, so loading is plain ESM `import()` in every runtime.
 */
export async function loadMigrations(): Promise<MigrationClass[]> {
  const { dir, ext } = migrationsDir();
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(ext) && !f.endsWith('.d.ts') && /^\d+-/.test(f))
    .sort();
  const classes: MigrationClass[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as Record<string, unknown>;
    for (const value of Object.values(mod)) {
      if (typeof value === 'function') classes.push(value as MigrationClass);
    }
  }
  return classes;
}
