// The operator commands of the CLI (src/cli/index.ts): they talk to the database directly.
import { parseArgs } from 'node:util';
import { PROJECT_SCOPES, SCOPES, validateScopes } from '../app/authorization.js';
import { ValidationError } from '../app/errors.js';
import { ApiKeyStore } from '../auth/api-keys.js';
import { AccessTokens } from '../auth/tokens.js';
import { loadConfig } from '../config.js';
import { openEmbeddedPostgres } from '../db/embedded.js';
import { applyMigrations } from '../db/migrations.js';
import { createDatabase } from '../db/prisma.js';
import { openSecretBox } from '../secrets/encryption-key.js';
import { resealTokenSigningKeys, resealWebhookSecrets } from '../secrets/reseal.js';
import { LISTEN_USAGE } from './listen/command.js';

const USAGE = `usage:
  cli api-key create --project <name> [--name <label>] [--scopes <a,b>]
                                                          create a key (printed once); every project scope
                                                          unless --scopes names some (${SCOPES.join(', ')})
  cli api-key list                                        list keys (never the keys themselves)
  cli api-key revoke <id>                                 revoke a key at once
  cli secrets rotate-key                                  re-seal every webhook secret under SECRET_ENCRYPTION_KEY
                                                          (the previous key must be in SECRET_ENCRYPTION_OLD_KEYS)
  cli tokens rotate-key                                   a new access-token signing key signs from now on (API
                                                          processes pick it up within 30 s); older keys still verify
  cli tokens retire-keys                                  retire every signing key but the current one: the
                                                          tokens they signed stop working (after a rotation, wait
                                                          out the longest TTL, 24 h, first)
${LISTEN_USAGE}`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

const parseCommandLine = () => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        project: { type: 'string' },
        name: { type: 'string' },
        scopes: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return fail((error as Error).message); // an unknown option or a missing value is a usage error too
  }
};
const { positionals, values } = parseCommandLine();
const [area, command, arg] = positionals;

// `help`, `--help` or `-h` anywhere asks for the usage: printed to stdout, exit 0, no database touched.
if (values.help || area === 'help') {
  console.log(USAGE);
  process.exit(0);
}

const COMMANDS: Record<string, string[]> = {
  'api-key': ['create', 'list', 'revoke'],
  secrets: ['rotate-key'],
  tokens: ['rotate-key', 'retire-keys'],
};
const known = COMMANDS[area ?? ''] ?? [];
if (!known.includes(command ?? '')) fail('unknown command');
if (command === 'create' && !values.project) fail('api-key create needs --project <name>');
if (command === 'revoke' && !arg) fail('api-key revoke needs the key id (see api-key list)');

/** --scopes a,b: each a known scope (the same rule as the API's), or a usage error. */
const parseScopes = (list: string | undefined) => {
  if (list === undefined) return PROJECT_SCOPES;
  try {
    return validateScopes(list.split(',').map((scope) => scope.trim()).filter(Boolean), '--scopes');
  } catch (error) {
    if (error instanceof ValidationError) return fail(error.message);
    throw error;
  }
};
const scopes = command === 'create' ? parseScopes(values.scopes) : PROJECT_SCOPES;

const config = loadConfig();
const embedded = config.databaseUrl ? null : await openEmbeddedPostgres(config.dataDir);
const url = config.databaseUrl ?? embedded!.url;
await applyMigrations(url);
const { db, pool, close } = createDatabase(url, () => {}, { max: 2 });
const apiKeys = new ApiKeyStore(pool);
let exitCode = 0;
try {
  if (area === 'tokens') {
    const tokens = new AccessTokens(pool, await openSecretBox(config));
    if (command === 'rotate-key') console.log(`Token signing key ${(await tokens.rotateKey()).id} signs from now on`);
    else console.log(`Retired ${(await tokens.retireOldKeys()).join(', ') || 'no'} signing key(s)`);
  } else if (command === 'rotate-key') {
    const box = await openSecretBox(config);
    const count = await resealWebhookSecrets(db, box);
    console.log(`Re-sealed ${count} webhook(s) under key ${box.currentKeyId}`);
    const signingKeys = await resealTokenSigningKeys(db, box);
    if (signingKeys) console.log(`Re-sealed ${signingKeys} token signing key(s)`);
  } else if (command === 'create') {
    const { key, apiKey } = await apiKeys.create(values.project!, values.name ?? 'cli', scopes);
    console.log(`Created ${apiKey.id} for project "${apiKey.projectName}". The key, shown only now:\n${key}`);
  } else if (command === 'list') {
    for (const k of await apiKeys.list()) {
      const state = k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active';
      console.log(`${k.id}\t${k.prefix}…\t${k.projectName}\t${k.name}\t${state}`);
    }
  } else if (await apiKeys.revoke(arg!)) {
    console.log(`Revoked ${arg}`);
  } else {
    console.error(`No active key with id ${arg}`);
    exitCode = 1;
  }
} finally {
  await close();
  await embedded?.stop();
}
process.exit(exitCode);
