import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { ConfigError } from '../errors';
import type { Platform } from '../chat/command';
import type { InstallationRepository, Store } from './types';

/** PAPERS_SECRET_KEY and, while rotating, PAPERS_SECRET_KEY_PREVIOUS: 32 bytes each. */
export interface SecretKeys {
  current: Buffer;
  previous: Buffer | null;
}

/** Sealed values start with this; anything else was stored before encryption (and is sealed at start). */
const PREFIX = 'enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Names a key without revealing it, so a value says which key sealed it. */
const keyId = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 8);

/**
 * AES-256-GCM over secrets kept in the store (Slack installations' tokens): `enc:v1:<key id>:<base64
 * of iv, tag, ciphertext>`. A fresh 96-bit IV per value; the tag makes a tampered value fail to open.
 * Values sealed with the previous key open too, so a rotation needs no downtime.
 */
export function createSecretBox(keys: SecretKeys) {
  const byId = new Map([[keyId(keys.current), keys.current]]);
  if (keys.previous) byId.set(keyId(keys.previous), keys.previous);
  const currentId = keyId(keys.current);
  return {
    seal(plain: string): string {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', keys.current, iv);
      const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `${PREFIX}${currentId}:${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64')}`;
    },
    open(stored: string): string {
      if (!isSealed(stored)) return stored;
      const [id, payload] = stored.slice(PREFIX.length).split(':') as [string, string | undefined];
      const key = byId.get(id);
      if (!key || payload === undefined)
        throw new ConfigError('a stored secret was encrypted with a key that is neither PAPERS_SECRET_KEY nor PAPERS_SECRET_KEY_PREVIOUS');
      const raw = Buffer.from(payload, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    },
    /** Whether the value is sealed with the current key already. */
    isCurrent(stored: string): boolean {
      return stored.startsWith(`${PREFIX}${currentId}:`);
    },
  };
}

export type SecretBox = ReturnType<typeof createSecretBox>;

/** The box of the configured keys, or null without PAPERS_SECRET_KEY. */
export const secretBoxOf = (config: { secretKeys: SecretKeys | null }): SecretBox | null => (config.secretKeys ? createSecretBox(config.secretKeys) : null);

export const isSealed = (stored: string) => stored.startsWith(PREFIX);

const NO_KEY = 'PAPERS_SECRET_KEY is not set (32 random bytes, e.g. `openssl rand -base64 32`)';

/** The installations repository with every value sealed on the way in and opened on the way out. */
export function sealedInstallations(repo: InstallationRepository, box: SecretBox | null): Pick<InstallationRepository, 'get' | 'put' | 'delete'> {
  return {
    async get(platform, key) {
      const stored = await repo.get(platform, key);
      if (stored === null || !isSealed(stored)) return stored;
      if (!box) throw new ConfigError(`cannot read a stored installation: ${NO_KEY}`);
      return box.open(stored);
    },
    async put(platform, key, value) {
      if (!box) throw new ConfigError(`cannot store an installation: ${NO_KEY}`);
      await repo.put(platform, key, box.seal(value));
    },
    delete: (platform, key) => repo.delete(platform, key),
  };
}

/**
 * Seals every installation not sealed with the current key yet (stored before encryption, or with
 * the previous key); how many were rewritten. `onlyPlaintext` leaves the previous key's alone.
 */
export async function resealInstallations(store: Pick<Store, 'installations'>, box: SecretBox, opts: { onlyPlaintext?: boolean } = {}): Promise<number> {
  let count = 0;
  for (const { platform, key, value } of await store.installations.list()) {
    if (box.isCurrent(value) || (opts.onlyPlaintext && isSealed(value))) continue;
    await store.installations.put(platform as Platform, key, box.seal(box.open(value)));
    count++;
  }
  return count;
}

/**
 * Before a process uses stored tokens (`papers start`, `post-daily`): installations in the store and
 * no key is a one-line refusal; with a key, any stored before encryption are sealed now.
 */
export async function prepareSecretsAtRest(store: Pick<Store, 'installations'>, box: SecretBox | null, log?: Logger): Promise<void> {
  const stored = await store.installations.list();
  if (stored.length === 0) return;
  if (!box) throw new ConfigError(`the store holds ${stored.length} installation(s), whose tokens are kept encrypted: ${NO_KEY}`);
  const sealed = await resealInstallations(store, box, { onlyPlaintext: true });
  if (sealed === 0) return;
  await store.installations.purgeOldVersions();
  log?.info({ event: 'secrets_sealed', installations: sealed }, 'installations stored before encryption are now encrypted');
}
