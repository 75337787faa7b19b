import path from 'node:path';
import { ConfigError } from '../errors';

/** Where the store lives, as read from DATABASE_URL. */
export type DatabaseTarget =
  | { kind: 'sqlite'; path: string }
  | {
      kind: 'postgres';
      /** The URL without our own `schema` parameter, for pg. */
      connectionString: string;
      /** Schema from `?schema=NAME`; null leaves pg's search_path (default or `options`) alone. */
      schema: string | null;
      /** host:port for error messages; never the password. */
      where: string;
    };

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * `sqlite:PATH`, a plain file path, or `postgres://…` / `postgresql://…`.
 * Relative SQLite paths resolve against cwd. Throws ConfigError naming what is wrong.
 */
export function parseDatabaseUrl(url: string, cwd = process.cwd()): DatabaseTarget {
  const value = url.trim();
  if (value === '') throw new ConfigError('DATABASE_URL is empty: use sqlite:PATH, a file path, or postgres://…');

  if (/^postgres(ql)?:\/\//i.test(value)) return parsePostgres(value);

  const sqlite = value.match(/^sqlite:(?:\/\/)?(.*)$/i);
  if (sqlite) {
    const file = sqlite[1]!;
    if (file === '' || file === ':memory:')
      throw new ConfigError(`DATABASE_URL "${value}" names no file: use sqlite:PATH (an in-memory database would lose everything on restart)`);
    return { kind: 'sqlite', path: path.resolve(cwd, file) };
  }

  // Any other `scheme:` (two or more letters, so a Windows drive letter still reads as a path).
  const scheme = value.match(/^([A-Za-z][A-Za-z0-9+.-]+):/)?.[1];
  if (scheme) throw new ConfigError(`DATABASE_URL has unsupported scheme "${scheme}:": use sqlite:PATH, a file path, or postgres://…`);
  return { kind: 'sqlite', path: path.resolve(cwd, value) };
}

function parsePostgres(value: string): DatabaseTarget {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError('DATABASE_URL is not a valid postgres:// URL');
  }
  if (!url.hostname) throw new ConfigError('DATABASE_URL postgres:// URL names no host');
  const schema = url.searchParams.get('schema');
  if (schema !== null && !SCHEMA_NAME.test(schema))
    throw new ConfigError(`DATABASE_URL schema "${schema}" is not a plain identifier (letters, digits, _; at most 63)`);
  url.searchParams.delete('schema');
  return { kind: 'postgres', connectionString: url.toString(), schema, where: `${url.hostname}:${url.port || '5432'}` };
}
