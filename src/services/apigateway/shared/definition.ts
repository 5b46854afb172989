/**
 * Reads an OpenAPI (or Swagger) definition given to ImportApi, ReimportApi, ImportRestApi or
 * PutRestApi: JSON, or YAML as API Gateway also accepts, through the `yaml` package. YAML
 * aliases are bounded (a "billion laughs" document is refused), and so is the document's
 * nesting, checked without recursion, so the importers' walks over it stay shallow.
 */
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

/** Deeper than any real definition (schemas nest a few dozen levels at most). */
export const MAX_DEFINITION_DEPTH = 64;
const MAX_YAML_ALIASES = 100;

export type Definition = { ok: true; doc: unknown } | { ok: false; error: string };

/** The parsed document, or why it cannot be read (the caller answers BadRequestException). */
export function readDefinition(text: string): Definition {
  let doc: unknown;
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      doc = JSON.parse(text);
    } catch (e) {
      return { ok: false, error: `the definition is not valid JSON (${(e as Error).message})` };
    }
  } else {
    try {
      doc = parseYaml(text, { maxAliasCount: MAX_YAML_ALIASES, prettyErrors: false, uniqueKeys: true });
    } catch (e) {
      // A stack overflow on absurd nesting is a RangeError: an invalid document all the same.
      return { ok: false, error: e instanceof RangeError ? 'the definition nests too deeply' : `the definition is neither JSON nor valid YAML (${firstLine((e as Error).message)})` };
    }
  }
  if (depthOf(doc) > MAX_DEFINITION_DEPTH) return { ok: false, error: `the definition nests deeper than ${MAX_DEFINITION_DEPTH} levels` };
  return { ok: true, doc };
}

/** The nesting depth of a JSON value, by an explicit stack (stops counting past the bound). */
export function depthOf(root: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[root, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d + 1 > max) max = d + 1;
    if (max > MAX_DEFINITION_DEPTH) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (typeof child === 'object' && child !== null) stack.push([child, d + 1]);
  }
  return max;
}

/** A definition exported as YAML (ExportApi's OutputType YAML, GetExport with Accept: application/yaml). */
export function definitionYaml(doc: unknown): string {
  // No anchors for repeated objects: every reader gets the plain document.
  return stringifyYaml(doc, { aliasDuplicateObjects: false, lineWidth: 0 });
}

const firstLine = (s: string) => s.split('\n', 1)[0];
