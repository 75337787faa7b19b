// Compiles the TypeScript sources to plain ESM in dist/ (see bin/papers.mjs for why and when it is used).
import { cpSync, existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = path.join(root, 'dist');
/** The code `papers` runs; tests and benches stay TypeScript, run by vitest and tsx. */
const SOURCES = ['src', 'commands', 'adapters', 'cli'];

function tsFiles(dir) {
  return readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

// Sources changed after this time make bin/papers.mjs ignore the build.
const startedAt = Date.now();
// Built beside dist/ and swapped in whole, so a `papers` starting meanwhile sees the old build or the new one.
const next = `${dist}.${process.pid}`;
const old = `${dist}.${process.pid}.old`;
rmSync(next, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: SOURCES.flatMap(tsFiles),
  outdir: next,
  outbase: root,
  // One output file per source file, same layout, so `new URL('./x', import.meta.url)` still finds its neighbours.
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  plugins: [
    {
      name: 'one-file-each',
      setup(b) {
        // Imports are extensionless in the sources (moduleResolution Bundler); plain Node ESM needs the file name.
        b.onResolve({ filter: /^\.\.?\// }, (args) => (args.kind === 'entry-point' ? undefined : { path: `${args.path}.js`, external: true }));
        // Packages stay imports, resolved from node_modules at run time.
        b.onResolve({ filter: /^[^./]/ }, () => ({ external: true }));
      },
    },
  ],
});
// Files the code reads relative to itself: the bundled listing, and package.json for the version
// (dist/src/sources/fetch.js looks two directories up, which is dist/).
cpSync(path.join(root, 'src/sources/bundled'), path.join(next, 'src/sources/bundled'), { recursive: true });
const { name, version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
writeFileSync(path.join(next, 'package.json'), `${JSON.stringify({ name, version, private: true, type: 'module' }, null, 2)}\n`);
// Last, so an interrupted build is no build.
writeFileSync(path.join(next, 'BUILD'), `${startedAt}\n`);
if (existsSync(dist)) renameSync(dist, old);
renameSync(next, dist);
rmSync(old, { recursive: true, force: true });
