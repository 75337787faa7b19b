import { readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations/index';
import { repoRoot } from '../helpers/fixtures';

const folder = path.join(repoRoot, 'src/store/migrations');
const migrationFiles = readdirSync(folder).filter((f) => /^\d{4}_\w+\.ts$/.test(f));

/** Every module a file imports or re-exports, dynamic imports and require() included. */
function importsOf(file: string): string[] {
  return ts.preProcessFile(readFileSync(path.join(folder, file), 'utf8'), true, true).importedFiles.map((f) => f.fileName);
}

describe('migration files', () => {
  it('import nothing but kysely and Node built-ins, so they never change with the application', () => {
    for (const file of migrationFiles) expect(importsOf(file).filter((m) => m !== 'kysely' && !isBuiltin(m)), file).toEqual([]);
  });

  it('are all in the ordered list under their own names, which the index alone imports', () => {
    expect(Object.keys(MIGRATIONS)).toEqual(migrationFiles.map((f) => f.replace(/\.ts$/, '')).sort());
    expect(importsOf('index.ts').filter((m) => m !== 'kysely').sort()).toEqual(Object.keys(MIGRATIONS).map((name) => `./${name}`));
  });
});
