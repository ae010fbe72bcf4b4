import { existsSync } from 'node:fs';
import { describeBootError } from '../config/boot-error.js';
import { loadConfig } from '../config/load-config.js';
import { openBridgeDataSource } from './bridge-data-source.js';

/**
 * `npm run migration:run` / `migration:revert`: the same migrations the service runs at boot,
 * against the same database it would use (DATABASE_URL, or the embedded one in DATA_DIR).
 */
async function main(command: string | undefined): Promise<void> {
  if (command !== 'run' && command !== 'revert' && command !== 'show') {
    throw new Error('usage: migration-cli run|revert|show');
  }
  if (existsSync('.env')) process.loadEnvFile('.env');
  // Migrations need only the database settings; the local profile spares other requirements.
  const config = loadConfig({ APP_PROFILE: 'local', ...process.env });
  const ds = await openBridgeDataSource(config.database, { migrate: false });
  try {
    if (command === 'run') {
      const ran = await ds.migrateLatest();
      console.log(ran.length ? `applied: ${ran.join(', ')}` : 'no pending migrations');
    } else if (command === 'revert') {
      await ds.revertLast();
      console.log('reverted the last applied migration');
    } else {
      console.log((await ds.migrationsApplied()) ? 'all migrations applied' : 'pending migrations');
    }
  } finally {
    await ds.destroy();
  }
}

main(process.argv[2]).catch((err: unknown) => {
  process.stderr.write(`${describeBootError(err, process.env)}\n`);
  process.exit(1);
});
