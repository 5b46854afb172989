/**
 * Lets function code import the AWS SDK v3 without bundling it, as it can on Lambda's Node.js
 * runtimes, from CommonJS and from ES modules alike.
 *
 * ES modules ignore NODE_PATH, so the only mechanism both module systems honour is Node's
 * parent-directory search for `node_modules`. Function code lives at `<root>/<id>/`; the
 * root gets a `node_modules` symlink to the node_modules directory that holds Nimbus's own
 * `@aws-sdk/client-*` packages. A function that bundles its own copy keeps it: its
 * `<root>/<id>/node_modules` is searched first.
 *
 * The root also gets `package.json` `{"type":"commonjs"}`, which ends Node's search for the
 * nearest package.json there: without it a `.js` handler under a data directory inside a
 * project with `"type": "module"` (Nimbus's own checkout, say) would load as ESM, where on
 * Lambda, with no package.json of its own, it is CommonJS.
 */
import { lstatSync, mkdirSync, readFileSync, readlinkSync, renameSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';

const ROOT_PACKAGE_JSON = '{"type":"commonjs"}\n';

let cachedNodeModules: string | undefined;

/**
 * The node_modules directory that contains `@aws-sdk/client-sqs` as Nimbus resolves it
 * (Nimbus's own, or the application's when Nimbus is installed as a hoisted dependency).
 */
export function sdkNodeModules(): string {
  if (cachedNodeModules) return cachedNodeModules;
  const entry = createRequire(import.meta.url).resolve('@aws-sdk/client-sqs');
  const marker = `${sep}node_modules${sep}@aws-sdk${sep}client-sqs${sep}`;
  const at = entry.lastIndexOf(marker);
  if (at < 0) throw new Error(`cannot locate node_modules from ${entry}`);
  cachedNodeModules = entry.slice(0, at + `${sep}node_modules`.length);
  return cachedNodeModules;
}

/**
 * Makes `dir` (the parent of every function's code directory) a code root: creates it if
 * needed, points `dir/node_modules` at the SDK's node_modules and writes `dir/package.json`.
 * Idempotent and cheap when already done; a stale link (Nimbus moved) is replaced atomically.
 * A real `node_modules` directory placed there by someone else is left alone.
 */
export function prepareCodeRoot(dir: string): void {
  const root = resolve(dir);
  mkdirSync(root, { recursive: true });
  const target = sdkNodeModules();
  const link = join(root, 'node_modules');
  let current: string | undefined;
  let exists = false;
  try {
    const st = lstatSync(link);
    exists = true;
    if (st.isSymbolicLink()) current = resolve(dirname(link), readlinkSync(link));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (!exists) {
    linkTo(target, link);
  } else if (current !== undefined && current !== target) {
    // Replace, never remove-then-create: a concurrent import must always find a link.
    const tmp = `${link}.${process.pid}.tmp`;
    try {
      unlinkSync(tmp);
    } catch {
      /* not there */
    }
    linkTo(target, tmp);
    renameSync(tmp, link);
  }

  const pkg = join(root, 'package.json');
  let text: string | undefined;
  try {
    text = readFileSync(pkg, 'utf8');
  } catch {
    /* missing */
  }
  if (text !== ROOT_PACKAGE_JSON) writeFileSync(pkg, ROOT_PACKAGE_JSON);
}

function linkTo(target: string, path: string): void {
  try {
    // 'junction' needs no privileges on Windows; the type is ignored elsewhere.
    symlinkSync(target, path, 'junction');
  } catch (e) {
    // Another process won the race to create the same link.
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}
