#!/usr/bin/env node
// Bundles the compiled CLI (dist/src/cli.js and everything it imports, npm packages included)
// into dist/src/cli.bundle.js, the file `nimbus start` runs: loading one file instead of ~230
// modules is most of the time from launch to healthy. better-sqlite3 stays outside (a native
// addon). The function bootstrap and the checkpoint worker stay separate files beside it
// (src/lib/source-root.ts finds them either way). Tests import tsc's output directly.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/src/cli.js'],
  outfile: 'dist/src/cli.bundle.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3'],
  // Syntax only: names and lines stay, so stack traces and CPU profiles still read.
  minifySyntax: true,
  define: { __NIMBUS_BUNDLE__: 'true' },
  // Bundled CommonJS packages call require(); give the ES module one.
  banner: { js: "import { createRequire as __nimbusRequire } from 'node:module'; const require = __nimbusRequire(import.meta.url);" },
  logLevel: 'warning',
});
