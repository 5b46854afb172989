/**
 * Published versions (immutable snapshots of $LATEST's code and configuration) and aliases
 * (named pointers to a version, optionally splitting traffic with a second one).
 */
import { own, setOwn } from '../../../lib/own.js';
import type { Ids } from '../../../lib/ids.js';
import { InvalidParameterValueException, ResourceConflictException, ResourceNotFoundException } from '../errors.js';
import type { AliasRecord, FunctionRecord, VersionConfig } from '../model.js';
import type { Functions } from './functions.js';
import { checkRevision } from './functions.js';
import { functionArn, type FunctionRef } from './names.js';
import type { Registry } from './registry.js';

/** An alias's routing as a request gives it: the weights are checked here (the shapes have no double). */
export interface RoutingInput {
  AdditionalVersionWeights?: Record<string, unknown>;
}

export class Versions {
  constructor(
    private readonly registry: Registry,
    private readonly functions: Functions,
    private readonly ids: Ids,
  ) {}

  /** Publishes $LATEST as a new version, or returns the newest version when nothing changed since. */
  async publish(ref: FunctionRef, input: { Description?: string; CodeSha256?: string; RevisionId?: string }): Promise<VersionConfig> {
    await this.functions.waitActive(ref);
    const fn = this.registry.get(ref);
    checkRevision(fn.latest.config, input.RevisionId);
    if (input.CodeSha256 !== undefined && input.CodeSha256 !== fn.latest.config.CodeSha256) {
      throw new InvalidParameterValueException(`CodeSHA256 (${input.CodeSha256}) is different from current CodeSHA256 in $LATEST (${fn.latest.config.CodeSha256}). Please try again with the CodeSHA256 in $LATEST.`);
    }
    return this.registry.update(ref, (f) => {
      checkRevision(f.latest.config, input.RevisionId);
      const latest = f.latest;
      const newest = f.versions[String(f.nextVersion - 1)];
      if (newest && sameContent(newest.config, latest.config) && newest.code.sha256 === latest.code.sha256) return { doc: f, result: { ...newest.config } };
      const version = String(f.nextVersion++);
      const config: VersionConfig = {
        ...structuredClone(latest.config),
        Version: version,
        FunctionArn: functionArn(ref, version),
        Description: input.Description ?? latest.config.Description,
        RevisionId: this.ids.uuid(),
      };
      setOwn(f.versions, version, { config, code: latest.code });
      return { doc: f, result: { ...config } };
    });
  }

  /** $LATEST first, then the versions in order. */
  list(ref: FunctionRef): VersionConfig[] {
    const fn = this.registry.get(ref);
    const versions = Object.values(fn.versions).sort((a, b) => Number(a.config.Version) - Number(b.config.Version));
    return [{ ...fn.latest.config, FunctionArn: functionArn(ref, '$LATEST') }, ...versions.map((v) => ({ ...v.config }))];
  }

  /** The name and version are held to the model's patterns by the declared shapes (operations/functions.ts). */
  async createAlias(ref: FunctionRef, input: { Name: string; FunctionVersion: string; Description?: string; RoutingConfig?: RoutingInput }): Promise<AliasRecord> {
    const fn = this.registry.get(ref);
    checkVersion(fn, input.FunctionVersion);
    const routing = checkRouting(fn, input.FunctionVersion, input.RoutingConfig);
    return this.registry.update(ref, (f) => {
      if (own(f.aliases, input.Name)) throw new ResourceConflictException(`Alias already exists: ${functionArn(ref, input.Name)}`);
      const alias: AliasRecord = {
        AliasArn: functionArn(ref, input.Name),
        Name: input.Name,
        FunctionVersion: input.FunctionVersion,
        Description: input.Description ?? '',
        ...(routing ? { RoutingConfig: routing } : {}),
        RevisionId: this.ids.uuid(),
      };
      setOwn(f.aliases, input.Name, alias);
      return { doc: f, result: { ...alias } };
    });
  }

  getAlias(ref: FunctionRef, name: string): AliasRecord {
    const alias = own(this.registry.get(ref).aliases, name);
    if (!alias) throw new ResourceNotFoundException(`Cannot find alias arn: ${functionArn(ref, name)}`);
    return { ...alias };
  }

  async updateAlias(
    ref: FunctionRef,
    name: string,
    input: { FunctionVersion?: string; Description?: string; RoutingConfig?: RoutingInput; RevisionId?: string },
  ): Promise<AliasRecord> {
    const fn = this.registry.get(ref);
    const current = this.getAlias(ref, name);
    checkRevision(current, input.RevisionId);
    const version = input.FunctionVersion ?? current.FunctionVersion;
    checkVersion(fn, version);
    const routing = checkRouting(fn, version, input.RoutingConfig ?? current.RoutingConfig);
    return this.registry.update(ref, (f) => {
      const a = own(f.aliases, name);
      if (!a) throw new ResourceNotFoundException(`Cannot find alias arn: ${functionArn(ref, name)}`);
      checkRevision(a, input.RevisionId);
      a.FunctionVersion = version;
      if (input.Description !== undefined) a.Description = input.Description;
      if (input.RoutingConfig !== undefined) {
        if (routing) a.RoutingConfig = routing;
        else delete a.RoutingConfig;
      }
      a.RevisionId = this.ids.uuid();
      return { doc: f, result: { ...a } };
    });
  }

  async deleteAlias(ref: FunctionRef, name: string): Promise<void> {
    this.registry.get(ref);
    await this.registry.update(ref, (f) => {
      delete f.aliases[name];
      delete f.eventInvokeConfigs[name];
      delete f.urlConfigs[name];
      return { doc: f, result: undefined };
    });
  }

  listAliases(ref: FunctionRef, functionVersion?: string): AliasRecord[] {
    const fn = this.registry.get(ref);
    return Object.values(fn.aliases)
      .filter((a) => functionVersion === undefined || a.FunctionVersion === functionVersion)
      .sort((a, b) => (a.Name < b.Name ? -1 : 1))
      .map((a) => ({ ...a }));
  }
}

/** Versions are equal in content when code and configuration (less the per-version fields) match. */
function sameContent(a: VersionConfig, b: VersionConfig): boolean {
  const strip = ({ Version, FunctionArn, RevisionId, LastModified, Description, State, LastUpdateStatus, ...rest }: VersionConfig) => JSON.stringify(rest);
  return strip(a) === strip(b);
}

function checkVersion(fn: FunctionRecord, version: string): void {
  if (version !== '$LATEST' && !own(fn.versions, version)) {
    throw new ResourceNotFoundException(`Function not found: ${functionArn(fn, version)}`);
  }
}

/** The routing checked, with its weights as numbers; undefined when it names no second version. */
function checkRouting(fn: FunctionRecord, primary: string, routing: RoutingInput | undefined): AliasRecord['RoutingConfig'] {
  const weights = routing?.AdditionalVersionWeights ?? {};
  const entries = Object.entries(weights);
  if (entries.length === 0) return undefined;
  if (entries.length > 1) throw new InvalidParameterValueException('Number of items in AdditionalVersionWeights cannot be greater than 1');
  const [version, weight] = entries[0]!;
  if (primary === '$LATEST' || version === '$LATEST') throw new InvalidParameterValueException('$LATEST is not supported for an alias pointing to more than 1 version');
  if (version === primary) throw new InvalidParameterValueException(`Invalid function version ${version}. Function version ${version} is already included in routing configuration.`);
  if (typeof weight !== 'number' || weight < 0 || weight > 1) throw new InvalidParameterValueException('AdditionalVersionWeights values must be between 0.0 and 1.0');
  checkVersion(fn, version);
  return { AdditionalVersionWeights: { [version]: weight } };
}
