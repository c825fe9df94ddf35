// Where the encryption key comes from: SECRET_ENCRYPTION_KEY, or a key generated once into DATA_DIR for
// development and the embedded database. Production must provide the key.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.js';
import { SecretBox } from './secret-box.js';

const KEY_FILE = 'secret-encryption.key';

async function keyFromDataDir(dataDir: string): Promise<Buffer> {
  const file = path.join(dataDir, KEY_FILE);
  await mkdir(dataDir, { recursive: true });
  const fresh = randomBytes(32).toString('base64');
  // 'wx' fails if another process got there first; then its key is the key.
  await writeFile(file, `${fresh}\n`, { mode: 0o600, flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
}

export async function openSecretBox(config: Pick<Config, 'secretEncryptionKey' | 'secretEncryptionOldKeys' | 'dataDir' | 'nodeEnv'>) {
  let current = config.secretEncryptionKey;
  if (!current) {
    if (config.nodeEnv === 'production') {
      throw new Error('SECRET_ENCRYPTION_KEY is required in production (base64 of 32 random bytes)');
    }
    current = await keyFromDataDir(config.dataDir);
  }
  return new SecretBox(current, config.secretEncryptionOldKeys);
}
