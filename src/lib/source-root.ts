/**
 * The compiled `src/` directory, for the files Nimbus starts as processes or threads of their
 * own (the function bootstrap, the checkpoint worker). They are found the same way whether
 * Nimbus runs from tsc's output (this file is dist/src/lib/source-root.js) or from the bundle
 * `nimbus start` loads (dist/src/cli.bundle.js, built with __NIMBUS_BUNDLE__ defined).
 */
declare const __NIMBUS_BUNDLE__: boolean | undefined;

export const SOURCE_ROOT = new URL(typeof __NIMBUS_BUNDLE__ !== 'undefined' && __NIMBUS_BUNDLE__ ? './' : '../', import.meta.url);

/** A file under the compiled src/ directory, as a URL. */
export const sourceFile = (path: string): URL => new URL(path, SOURCE_ROOT);
