/**
 * Function code: a deployment package (zip) is checked, kept durably in the functions' blob
 * store and unpacked on demand into `<root>/<sha256>/`, a cache directory named by the zip's
 * hash (so versions with the same code share it, and a lost cache is rebuilt after a restart).
 * A local directory (hot reload in development) is used where it is.
 *
 * Entry names come from users: each is checked to stay inside its directory (no absolute
 * paths, no `..`, no NUL) before it is joined into a path. Unix modes are taken from the zip's
 * central directory so a custom runtime's `bootstrap` keeps its execute bit.
 *
 * Unpacked files are read-only (0444, or 0555 when executable; directories stay writable by
 * Nimbus so a data directory can still be removed), and sandboxed environments see the whole
 * directory read-only. Before each cold start `verify` checks the directory against the zip
 * whose SHA-256 is the version's CodeSha256: the first time in a process by content (every
 * file's path, mode and SHA-256, and nothing more), after that by each file's inode, size and
 * change time as that check saw them (any write, chmod or replacement changes the ctime). A
 * directory that differs is unpacked again from the stored zip before the environment starts.
 */
import { createHash } from 'node:crypto';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { chmod, lstat, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { unzipSync } from 'fflate';
import type { Logger } from '../../../lib/log.js';
import type { BlobStore } from '../../../store/blobs.js';
import { InvalidParameterValueException, RequestTooLargeException } from '../errors.js';
import type { CodeRef } from '../model.js';

/** Lambda's limits: 50 MB for a zip uploaded directly, 250 MB unzipped. */
export const MAX_ZIP_BYTES = 50 * 1024 * 1024;
export const MAX_UNZIPPED_BYTES = 262_144_000;

export class CodeStore {
  /** Directories known to hold their unpacked code (checked once, not on every invoke). */
  private readonly unpacked = new Set<string>();
  /** Unpacks in progress, by hash, so concurrent cold starts unpack once. */
  private readonly unpacking = new Map<string, Promise<string>>();
  /** What each zip should unpack to (path → mode and SHA-256), by CodeSha256. */
  private readonly manifests = new Map<string, Manifest>();
  /** Each directory's files as its last verification saw them (path → inode, size, ctime). */
  private readonly seen = new Map<string, Map<string, string>>();
  /** Verifications in progress, by directory, so concurrent cold starts check once. */
  private readonly verifying = new Map<string, Promise<void>>();

  constructor(
    private readonly blobs: BlobStore,
    /** Where unpacked code goes (prepared so handlers resolve Nimbus's AWS SDK). */
    private readonly root: string,
    /** Directories under which a local code directory may be (hot reload). */
    private readonly hotReloadRoots: string[],
    private readonly log?: Logger,
  ) {}

  /** Checks a zip, stores it durably and returns its reference (CodeSha256 is base64 SHA-256). */
  async storeZip(zip: Buffer): Promise<CodeRef> {
    if (zip.length > MAX_ZIP_BYTES) throw new RequestTooLargeException(`Request must be smaller than ${MAX_ZIP_BYTES} bytes for the CreateFunction operation`);
    entriesOf(zip); // refuses what is not a zip, or too large unzipped, before anything is stored
    const info = await this.blobs.write([zip], { hashers: { sha256: () => createHash('sha256') } });
    return { kind: 'zip', blobId: info.id, sha256: info.digests.sha256!.toString('base64'), size: zip.length };
  }

  /** A local directory as code: no copy; its hash is of the path, and changes are picked up as they happen. */
  localDir(path: string): CodeRef {
    if (!isAbsolute(path) || !existsSync(path) || !statSync(path).isDirectory()) {
      throw new InvalidParameterValueException(`Code directory ${path} does not exist or is not an absolute directory path.`);
    }
    // Symlinks resolved first, so a link cannot lead outside the allowed roots.
    const real = realpathSync(path);
    const allowed = this.hotReloadRoots.some((root) => {
      const r = existsSync(root) ? realpathSync(root) : root;
      return real === r || real.startsWith(r.endsWith(sep) ? r : r + sep);
    });
    if (!allowed || real === sep) {
      throw new InvalidParameterValueException(`Code directory ${path} is outside the hot-reload roots (${this.hotReloadRoots.join(', ') || 'none'}); start Nimbus with --hot-reload-roots to allow it.`);
    }
    return { kind: 'dir', path, sha256: createHash('sha256').update(path).digest('base64'), size: 0 };
  }

  /** The directory holding the code, unpacking it first if needed. */
  async dirOf(code: CodeRef): Promise<string> {
    if (code.kind === 'dir') return code.path;
    const name = Buffer.from(code.sha256, 'base64').toString('hex');
    const dir = join(this.root, name);
    if (this.unpacked.has(dir)) return dir;
    if (existsSync(dir)) {
      this.unpacked.add(dir);
      return dir;
    }
    let p = this.unpacking.get(name);
    if (!p) {
      p = this.unpack(code.blobId, dir).finally(() => this.unpacking.delete(name));
      this.unpacking.set(name, p);
    }
    return p;
  }

  /**
   * Checks the unpacked directory against the version's CodeSha256 (see the top) and unpacks it
   * again when it differs. Throws when the stored zip itself no longer has that hash.
   */
  async verify(code: CodeRef): Promise<void> {
    if (code.kind === 'dir') return;
    const dir = join(this.root, Buffer.from(code.sha256, 'base64').toString('hex'));
    let p = this.verifying.get(dir);
    if (!p) {
      p = this.check(code, dir).finally(() => this.verifying.delete(dir));
      this.verifying.set(dir, p);
    }
    return p;
  }

  private async check(code: Extract<CodeRef, { kind: 'zip' }>, dir: string): Promise<void> {
    const seen = this.seen.get(dir);
    const now = await statTree(dir).catch(() => undefined);
    if (seen && now && sameStats(seen, now)) return;
    const expected = await this.manifestOf(code);
    const actual = now ? await manifestOfTree(dir, now).catch(() => undefined) : undefined;
    if (actual && sameManifest(expected, actual)) {
      this.seen.set(dir, now!);
      return;
    }
    this.log?.warn('function code on disk differs from its CodeSha256: unpacking it again', { dir, codeSha256: code.sha256 });
    this.unpacked.delete(dir);
    this.seen.delete(dir);
    await this.unpack(code.blobId, dir);
    this.seen.set(dir, await statTree(dir));
  }

  /** The zip's manifest, after checking the stored zip's SHA-256 is the CodeSha256. */
  private async manifestOf(code: Extract<CodeRef, { kind: 'zip' }>): Promise<Manifest> {
    const known = this.manifests.get(code.sha256);
    if (known) return known;
    const zip = (await this.zipOf(code))!;
    if (createHash('sha256').update(zip).digest('base64') !== code.sha256) throw new Error(`the stored deployment package no longer matches CodeSha256 ${code.sha256}`);
    const manifest: Manifest = new Map();
    for (const e of entriesOf(zip)) manifest.set(e.path, e.dir ? 'dir' : `${fileMode(e)}:${createHash('sha256').update(e.data).digest('hex')}`);
    this.manifests.set(code.sha256, manifest);
    return manifest;
  }

  /** The zip's bytes (GetFunction's Code.Location serves them). */
  async zipOf(code: CodeRef): Promise<Buffer | undefined> {
    if (code.kind !== 'zip') return undefined;
    const chunks: Buffer[] = [];
    for await (const c of this.blobs.read(code.blobId)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  /** Removes a zip no version refers to any more. */
  async remove(code: CodeRef): Promise<void> {
    if (code.kind === 'zip') await this.blobs.remove(code.blobId).catch(() => undefined);
  }

  private async unpack(blobId: string, dir: string): Promise<string> {
    const zip = await this.zipOf({ kind: 'zip', blobId, sha256: '', size: 0 });
    const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    for (const e of entriesOf(zip!)) {
      const target = join(tmp, e.path);
      if (e.dir) {
        await mkdir(target, { recursive: true });
        continue;
      }
      await mkdir(join(target, '..'), { recursive: true });
      await writeFile(target, e.data);
      await chmod(target, fileMode(e));
    }
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
    this.unpacked.add(dir);
    return dir;
  }
}

interface Entry {
  path: string;
  dir: boolean;
  mode: number;
  data: Uint8Array;
}

/** Relative path → `dir`, or `<mode>:<sha256 hex>` for a file. */
type Manifest = Map<string, string>;

/** Read-only, executable where the zip says so (or for a custom runtime's bootstrap). */
const fileMode = (e: Entry): number => ((e.mode & 0o111) !== 0 || e.path === 'bootstrap' ? 0o555 : 0o444);

/** Every entry under `dir` (relative path → `d` or inode:size:ctime:mode); symlinks and other kinds are marked so they never match. */
async function statTree(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const pending = [''];
  while (pending.length) {
    const rel = pending.pop()!;
    for (const name of await readdir(join(dir, rel))) {
      const path = rel ? `${rel}/${name}` : name;
      const st = await lstat(join(dir, path));
      if (st.isDirectory()) {
        out.set(path, 'd');
        pending.push(path);
      } else out.set(path, st.isFile() ? `${st.ino}:${st.size}:${st.ctimeMs}:${st.mode & 0o777}` : 'other');
    }
  }
  return out;
}

function sameStats(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/** The directory's manifest, reading every file (its stat map tells files from directories). */
async function manifestOfTree(dir: string, stats: Map<string, string>): Promise<Manifest> {
  const out: Manifest = new Map();
  for (const [path, st] of stats) {
    if (st === 'd') out.set(path, 'dir');
    else if (st === 'other') out.set(path, 'other');
    else out.set(path, `${Number(st.split(':')[3])}:${createHash('sha256').update(await readFile(join(dir, path))).digest('hex')}`);
  }
  return out;
}

/** The zip's entries match the tree; directories the zip implies without listing them are allowed. */
function sameManifest(expected: Manifest, actual: Manifest): boolean {
  for (const [path, v] of expected) if (actual.get(path) !== v) return false;
  for (const [path, v] of actual) if (!expected.has(path) && v !== 'dir') return false;
  return true;
}

/** The zip's entries with safe relative paths; throws Lambda's error for a bad or oversized zip. */
function entriesOf(zip: Buffer): Entry[] {
  let files: Record<string, Uint8Array>;
  let declared = 0;
  try {
    // The sizes the zip declares are summed before anything is inflated, so a small zip that
    // would expand to gigabytes is refused without using the memory.
    files = unzipSync(zip, {
      filter: (f) => {
        declared += f.originalSize;
        if (declared > MAX_UNZIPPED_BYTES) throw new RangeError('too large');
        return true;
      },
    });
  } catch {
    if (declared > MAX_UNZIPPED_BYTES) throw new InvalidParameterValueException(`Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`);
    throw new InvalidParameterValueException('Could not unzip uploaded file. Please check your file, then try to upload again.');
  }
  const modes = unixModes(zip);
  let total = 0;
  const out: Entry[] = [];
  for (const [name, data] of Object.entries(files)) {
    total += data.length;
    if (total > MAX_UNZIPPED_BYTES) throw new InvalidParameterValueException(`Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`);
    const dir = name.endsWith('/');
    const path = safeRelative(name);
    if (path === undefined) throw new InvalidParameterValueException('Could not unzip uploaded file. Please check your file, then try to upload again.');
    if (path === '') continue;
    out.push({ path, dir, mode: modes.get(name) ?? 0o644, data });
  }
  return out;
}

/** A zip entry name as a relative path inside its directory, or undefined when it would leave it. */
function safeRelative(name: string): string | undefined {
  if (name.includes('\0')) return undefined;
  const unified = name.replace(/\\/g, '/');
  if (unified.startsWith('/') || /^[A-Za-z]:/.test(unified)) return undefined;
  const norm = normalize(unified).replace(/\/+$/, '');
  if (norm === '.' || norm === '') return '';
  if (norm === '..' || norm.startsWith(`..${sep}`) || norm.split(sep).includes('..')) return undefined;
  return norm;
}

/** Unix permission bits by entry name, from the central directory's external attributes. */
function unixModes(zip: Buffer): Map<string, number> {
  const modes = new Map<string, number>();
  // The end-of-central-directory record is in the last 64 KiB + 22 bytes.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65_557); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return modes;
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < count && p + 46 <= zip.length && zip.readUInt32LE(p) === 0x02014b50; n++) {
    const madeBy = zip.readUInt16LE(p + 4) >> 8;
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const external = zip.readUInt32LE(p + 38);
    const name = zip.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    if (madeBy === 3) modes.set(name, (external >>> 16) & 0o7777); // made on Unix
    p += 46 + nameLen + extraLen + commentLen;
  }
  return modes;
}
