/**
 * The function lifecycle: create, update code and configuration, delete, read, list. A new or
 * updated function is Pending (or InProgress) until its code is unpacked, then Active, as the
 * state machine Lambda exposes (`aws lambda wait function-active` polls it).
 */
import { own } from '../../../lib/own.js';
import type { Clock } from '../../../lib/clock.js';
import type { Ids } from '../../../lib/ids.js';
import type { Logger } from '../../../lib/log.js';
import { InvalidParameterValueException, PreconditionFailedException, ResourceConflictException, ResourceNotFoundException } from '../errors.js';
import type { CodeRef, FunctionRecord, VersionConfig, VersionRecord } from '../model.js';
import { functionKey } from '../model.js';
import type { CodeStore } from './code.js';
import { applyConfig, checkConfig, lambdaTimestamp, type ConfigInput } from './config.js';
import { checkNewName, functionArn, noSuchQualifier, type FunctionRef } from './names.js';
import { resolveQualifier } from './qualifiers.js';
import type { Registry } from './registry.js';

/** Where new code comes from. */
export interface CodeInput {
  ZipFile?: Buffer;
  S3Bucket?: string;
  S3Key?: string;
  S3ObjectVersion?: string;
  ImageUri?: string;
}

/** Reads an object of Nimbus's own S3 (undefined when there is no such object). */
export type S3Reader = (args: { accountId: string; bucket: string; key: string; versionId?: string }) => Promise<Buffer | undefined>;

/** The bucket name that means "this S3Key is a local directory": hot reload during development. */
export const HOT_RELOAD_BUCKET = 'hot-reload';

export interface FunctionsDeps {
  registry: Registry;
  code: CodeStore;
  clock: Clock;
  ids: Ids;
  log: Logger;
  readS3?: S3Reader;
  /** Told when a function's code or configuration changed (warm environments must go). */
  changed(fn: Pick<FunctionRecord, 'accountId' | 'region' | 'name'>): void;
}

export class Functions {
  /** Activations under way, by function key: invokes wait for them. */
  private readonly activating = new Map<string, Promise<void>>();

  constructor(private readonly d: FunctionsDeps) {}

  async create(ref: FunctionRef, input: ConfigInput & { Code: CodeInput; Publish?: boolean; Tags?: Record<string, string>; PackageType?: string },
    creatorKeyId?: string,): Promise<VersionConfig> {
    // Validation comes before any lookup, and before the code is stored (a refused
    // configuration leaves no zip behind).
    checkConfig(input);
    checkNewName(ref.name);
    if (input.PackageType === 'Image' || input.Code.ImageUri) throw new InvalidParameterValueException('Container image functions are not supported by Nimbus; use a .zip file archive.');
    if (!input.Runtime || !input.Handler) throw new InvalidParameterValueException('Runtime and Handler are mandatory parameters for functions created with Zip packages.');
    if (!input.Role) throw new InvalidParameterValueException('Role is a mandatory parameter.');
    if (this.d.registry.find(ref)) throw new ResourceConflictException(`Function already exist: ${ref.name}`);
    const code = await this.codeFrom(ref, input.Code);
    const config: VersionConfig = {
      FunctionName: ref.name,
      FunctionArn: functionArn(ref),
      Role: input.Role,
      CodeSize: code.size,
      Description: '',
      Timeout: 3,
      MemorySize: 128,
      LastModified: lambdaTimestamp(this.d.clock.now()),
      CodeSha256: code.sha256,
      Version: '$LATEST',
      TracingConfig: { Mode: 'PassThrough' },
      RevisionId: this.d.ids.uuid(),
      PackageType: 'Zip',
      Architectures: ['x86_64'],
      EphemeralStorage: { Size: 512 },
      LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${ref.name}` },
      State: 'Pending',
      StateReason: 'The function is being created.',
      StateReasonCode: 'Creating',
      LastUpdateStatus: 'InProgress',
      SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    };
    applyConfig(config, input);
    const tags = input.Tags ?? {};
    const doc: FunctionRecord = {
      accountId: ref.accountId,
      region: ref.region,
      name: ref.name,
      latest: { config, code },
      versions: {},
      nextVersion: 1,
      aliases: {},
      tags: { ...tags },
      eventInvokeConfigs: {},
      urlConfigs: {},
      policy: {},
      ...(creatorKeyId ? { creatorKeyId } : {}),
    };
    let created: FunctionRecord;
    try {
      created = await this.d.registry.create(doc);
    } catch (e) {
      await this.d.code.remove(code); // the name was taken meanwhile: nothing refers to the zip
      throw e;
    }
    this.activate(created);
    return { ...config };
  }

  async updateCode(ref: FunctionRef, input: CodeInput & { Publish?: boolean; RevisionId?: string }): Promise<VersionConfig> {
    checkUpdatable(this.d.registry.get(ref), input.RevisionId);
    const code = await this.codeFrom(ref, input);
    let old: CodeRef | undefined;
    let updated: FunctionRecord;
    try {
      updated = await this.d.registry.update(ref, (f) => {
        // Checked again inside the write: a concurrent update may have come first.
        checkUpdatable(f, input.RevisionId);
        old = f.latest.code;
        f.latest.code = code;
        Object.assign(f.latest.config, {
          CodeSha256: code.sha256,
          CodeSize: code.size,
          LastModified: lambdaTimestamp(this.d.clock.now()),
          RevisionId: this.d.ids.uuid(),
          LastUpdateStatus: 'InProgress',
          LastUpdateStatusReason: 'The function is being created.',
          LastUpdateStatusReasonCode: 'Creating',
        });
        return { doc: f, result: f };
      });
    } catch (e) {
      await this.releaseCode(this.d.registry.find(ref), code);
      throw e;
    }
    if (old) await this.releaseCode(updated, old);
    this.d.changed(updated);
    this.activate(updated);
    return { ...updated.latest.config };
  }

  async updateConfig(ref: FunctionRef, input: ConfigInput & { RevisionId?: string }): Promise<VersionConfig> {
    checkConfig(input);
    checkUpdatable(this.d.registry.get(ref), input.RevisionId);
    const updated = await this.d.registry.update(ref, (f) => {
      checkUpdatable(f, input.RevisionId);
      applyConfig(f.latest.config, input);
      Object.assign(f.latest.config, { LastModified: lambdaTimestamp(this.d.clock.now()), RevisionId: this.d.ids.uuid(), LastUpdateStatus: 'Successful' });
      delete f.latest.config.LastUpdateStatusReason;
      delete f.latest.config.LastUpdateStatusReasonCode;
      return { doc: f, result: f };
    });
    this.d.changed(updated);
    return { ...updated.latest.config };
  }

  /** Deletes the function, or with a qualifier one published version (not one an alias uses). */
  async delete(ref: FunctionRef): Promise<void> {
    const fn = this.d.registry.get(ref);
    if (ref.qualifier === '$LATEST') throw new InvalidParameterValueException('$LATEST version cannot be deleted without deleting the function.');
    if (ref.qualifier !== undefined) {
      if (!own(fn.versions, ref.qualifier)) throw noSuchQualifier(ref);
      const alias = Object.values(fn.aliases).find((a) => a.FunctionVersion === ref.qualifier || a.RoutingConfig?.AdditionalVersionWeights?.[ref.qualifier!] !== undefined);
      if (alias) throw new ResourceConflictException(`Unable to delete version because the following aliases reference it: [${alias.Name}]`);
    }
    const removed = await this.d.registry.update(ref, (f) => {
      if (ref.qualifier === undefined) return { doc: null, result: [f.latest.code, ...Object.values(f.versions).map((v) => v.code)] };
      const v = own(f.versions, ref.qualifier);
      if (!v) throw noSuchQualifier(ref);
      delete f.versions[ref.qualifier];
      delete f.eventInvokeConfigs[ref.qualifier];
      return { doc: f, result: [v.code] };
    });
    this.d.changed(fn);
    const remaining = this.d.registry.find(ref);
    for (const code of removed) await this.releaseCode(remaining, code);
  }

  /** The configuration of `$LATEST`, a version, or the version an alias points at. */
  version(ref: FunctionRef): { fn: FunctionRecord; version: VersionRecord } {
    const fn = this.d.registry.get(ref);
    const { version } = resolveQualifier(fn, ref.qualifier);
    // An alias whose version is gone names nothing to run.
    if (!version) throw noSuchQualifier(ref);
    return { fn, version };
  }

  /** Resolves once the function's pending code is unpacked (at once for an Active function). */
  async waitActive(fn: Pick<FunctionRecord, 'accountId' | 'region' | 'name'>): Promise<void> {
    await this.activating.get(functionKey(fn.accountId, fn.region, fn.name));
  }

  /** Unpacks the code in the background, then marks the function Active and its update Successful. */
  activate(fn: FunctionRecord): void {
    const key = functionKey(fn.accountId, fn.region, fn.name);
    const revision = fn.latest.config.RevisionId;
    const done = (async () => {
      let failure: string | undefined;
      try {
        await this.d.code.dirOf(fn.latest.code);
      } catch (e) {
        failure = e instanceof Error ? e.message : String(e);
        this.d.log.error('function code could not be unpacked', { function: fn.name, error: failure });
      }
      await this.d.registry
        .update(fn, (f) => {
          // A later update owns the state from here on.
          if (f.latest.config.RevisionId !== revision) return { doc: f, result: undefined };
          const c = f.latest.config;
          if (failure) Object.assign(c, { State: 'Failed', StateReason: failure, StateReasonCode: 'InvalidZipFileException', LastUpdateStatus: 'Failed' });
          else {
            Object.assign(c, { State: 'Active', LastUpdateStatus: 'Successful' });
            delete c.StateReason;
            delete c.StateReasonCode;
            delete c.LastUpdateStatusReason;
            delete c.LastUpdateStatusReasonCode;
          }
          return { doc: f, result: undefined };
        })
        // A function deleted meanwhile has no state to save.
        .catch((e) => e instanceof ResourceNotFoundException || this.d.log.error('function state could not be saved', { function: fn.name, error: String(e) }));
    })().finally(() => {
      if (this.activating.get(key) === done) this.activating.delete(key);
    });
    this.activating.set(key, done);
  }

  private async codeFrom(ref: FunctionRef, input: CodeInput): Promise<CodeRef> {
    if (input.ImageUri) throw new InvalidParameterValueException('Container image functions are not supported by Nimbus; use a .zip file archive.');
    if (input.ZipFile) {
      if (input.S3Bucket || input.S3Key) throw new InvalidParameterValueException('Please do not provide other FunctionCode parameters when providing a ZipFile.');
      return this.d.code.storeZip(input.ZipFile);
    }
    if (input.S3Bucket && input.S3Key) {
      if (input.S3Bucket === HOT_RELOAD_BUCKET) return this.d.code.localDir(input.S3Key);
      const body = await this.d.readS3?.({ accountId: ref.accountId, bucket: input.S3Bucket, key: input.S3Key, versionId: input.S3ObjectVersion });
      if (!body) {
        throw new InvalidParameterValueException(`Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.`);
      }
      return this.d.code.storeZip(body);
    }
    throw new InvalidParameterValueException('Please provide a source for function code.');
  }

  /** Removes a zip once no version of the function uses it any more. */
  private async releaseCode(fn: FunctionRecord | undefined, code: CodeRef): Promise<void> {
    if (code.kind !== 'zip') return;
    const used = fn && [fn.latest, ...Object.values(fn.versions)].some((v) => v.code.kind === 'zip' && v.code.blobId === code.blobId);
    if (!used) await this.d.code.remove(code);
  }
}

/**
 * An update needs the function not to be mid-update (Lambda's ResourceConflictException) and,
 * when the caller names one, its current RevisionId (optimistic locking).
 */
function checkUpdatable(fn: FunctionRecord, revisionId: string | undefined): void {
  if (fn.latest.config.LastUpdateStatus === 'InProgress') {
    throw new ResourceConflictException(`The operation cannot be performed at this time. An update is in progress for resource: ${functionArn(fn)}`);
  }
  checkRevision(fn.latest.config, revisionId);
}

/** RevisionId guards an update against a concurrent one (optimistic locking). */
export function checkRevision(current: { RevisionId: string }, revisionId: string | undefined): void {
  if (revisionId !== undefined && revisionId !== current.RevisionId) {
    throw new PreconditionFailedException('The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id');
  }
}
