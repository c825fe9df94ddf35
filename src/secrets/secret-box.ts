// Webhook signing secrets at rest: AES-256-GCM under SECRET_ENCRYPTION_KEY. The stored form names the key it was
// sealed with, so old keys can keep opening what they sealed while `secrets rotate-key` re-seals everything.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const PREFIX = 'aes256gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Opened secrets kept in memory: enough for every webhook a worker serves at once. */
const OPENED_CACHE_SIZE = 10_000;

/** A short, stable name for a key (not secret: a hash prefix). */
export const keyId = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 12);

export class SecretBox {
  private readonly keys: Map<string, Buffer>;
  private readonly opened = new Map<string, string>();
  readonly currentKeyId: string;

  /** `current` seals; `older` keys only open. Every key is 32 bytes. */
  constructor(
    private readonly current: Buffer,
    older: readonly Buffer[] = [],
  ) {
    for (const key of [current, ...older]) {
      if (key.length !== 32) throw new Error('encryption keys must be 32 bytes');
    }
    this.currentKeyId = keyId(current);
    this.keys = new Map([current, ...older].map((key) => [keyId(key), key]));
  }

  /** `aes256gcm:<key id>:<base64 of iv | ciphertext | tag>` */
  seal(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current, iv);
    // The key id is authenticated too, so a sealed value cannot be relabelled.
    cipher.setAAD(Buffer.from(this.currentKeyId));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${PREFIX}:${this.currentKeyId}:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64')}`;
  }

  /** Every delivery opens its webhook's secret; a sealed value (random IV) names one secret, so it can be kept. */
  open(sealed: string): string {
    let plaintext = this.opened.get(sealed);
    if (plaintext === undefined) {
      plaintext = this.decrypt(sealed);
      if (this.opened.size >= OPENED_CACHE_SIZE) this.opened.clear();
      this.opened.set(sealed, plaintext);
    }
    return plaintext;
  }

  private decrypt(sealed: string): string {
    const [prefix, id, payload] = sealed.split(':');
    if (prefix !== PREFIX || !id || !payload) throw new Error('not a sealed secret');
    const key = this.keys.get(id);
    if (!key) throw new Error(`sealed with unknown key ${id}; add it to SECRET_ENCRYPTION_OLD_KEYS`);
    const raw = Buffer.from(payload, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(id));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  }

  isSealed(value: string): boolean {
    return value.startsWith(`${PREFIX}:`);
  }

  sealedWithCurrentKey(value: string): boolean {
    return value.startsWith(`${PREFIX}:${this.currentKeyId}:`);
  }
}
