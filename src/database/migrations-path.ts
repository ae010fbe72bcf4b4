import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

type MigrationClass = new () => unknown;

/**
 * Migrations live in the top-level migrations/ folder as TypeScript; the build compiles them to
 * dist/migrations. Running from source (tests) loads the .ts files, running from dist the .js.
 */
function migrationsDir(): { dir: string; ext: string } {
  const here = fileURLToPath(import.meta.url);
  return here.endsWith('.ts')
    ? { dir: join(dirname(here), '..', '..', 'migrations'), ext: '.ts' }
    : { dir: join(dirname(here), '..', 'migrations'), ext: '.js' };
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
