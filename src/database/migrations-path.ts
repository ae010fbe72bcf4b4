import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/**
 * Migrations live in the top-level migrations/ folder as TypeScript; the build compiles them to
 * dist/migrations. Running from source (tests) loads the .ts files, running from dist the .js.
 */
export function migrationsGlob(): string {
  const here = fileURLToPath(import.meta.url);
  return here.endsWith('.ts')
    ? join(dirname(here), '..', '..', 'migrations', '*.ts')
    : join(dirname(here), '..', 'migrations', '*.js');
}
