import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';

/**
 * A fingerprint of every row of every table in a SQLite store file, read through a second
 * read-only connection, so a drill can show that a command changed nothing at all.
 */
export function sqliteFingerprint(url: string, tables?: string[]): string {
  const db = new Database(url.replace(/^sqlite:/, ''), { readonly: true, fileMustExist: true });
  try {
    const names = tables ?? (db.prepare(`select name from sqlite_master where type = 'table' order by name`).all() as { name: string }[]).map((r) => r.name);
    const hash = createHash('sha256');
    for (const name of names) {
      hash.update(`\u0000${name}\u0000`);
      for (const row of db.prepare(`select * from "${name}"`).raw().all())
        hash.update(JSON.stringify(row, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : v)));
    }
    return hash.digest('hex');
  } finally {
    db.close();
  }
}
