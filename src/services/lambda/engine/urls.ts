/**
 * Function URL configurations: one per function (or alias), each with the id that names its
 * host, `http://<url-id>.lambda-url.<region>.localhost:<port>/`. The HTTP side of a URL (the
 * request as a payload format 2.0 event, the answer as a response) is `../url-endpoint.ts`.
 */
import { own, setOwn } from '../../../lib/own.js';
import type { Clock } from '../../../lib/clock.js';
import type { Ids } from '../../../lib/ids.js';
import { InvalidParameterValueException, ResourceConflictException, ResourceNotFoundException } from '../errors.js';
import type { FunctionRecord, UrlConfig } from '../model.js';
import { functionArn, type FunctionRef } from './names.js';
import { resolveQualifier } from './qualifiers.js';
import type { Registry } from './registry.js';

/** What Create and Update take, already held to the model's enums and sizes (operations/urls.ts). */
export interface UrlInput {
  AuthType?: UrlConfig['AuthType'];
  Cors?: Record<string, unknown>;
  InvokeMode?: UrlConfig['InvokeMode'];
}

export class FunctionUrls {
  constructor(
    private readonly registry: Registry,
    private readonly clock: Clock,
    private readonly ids: Ids,
    /** Nimbus's port, for the URLs handed out. */
    private readonly port: () => string,
  ) {}

  async create(ref: FunctionRef, input: UrlInput & { AuthType: UrlConfig['AuthType'] }): Promise<UrlConfig> {
    const fn = this.registry.get(ref);
    const qualifier = this.qualifierOf(fn, ref);
    return this.registry.update(ref, (f) => {
      if (own(f.urlConfigs, qualifier)) throw new ResourceConflictException(`Failed to create function url config for [functionArn = ${functionArn(ref, ref.qualifier)}]. Error message:  FunctionUrlConfig exists for this Lambda function`);
      const urlId = this.ids.uuid().replace(/-/g, '');
      const now = new Date(this.clock.now()).toISOString();
      const config: UrlConfig = {
        urlId,
        FunctionUrl: `http://${urlId}.lambda-url.${ref.region}.localhost:${this.port()}/`,
        FunctionArn: functionArn(ref, ref.qualifier),
        AuthType: input.AuthType,
        ...(input.Cors ? { Cors: input.Cors } : {}),
        InvokeMode: input.InvokeMode ?? 'BUFFERED',
        CreationTime: now,
        LastModifiedTime: now,
      };
      setOwn(f.urlConfigs, qualifier, config);
      return { doc: f, result: config };
    });
  }

  get(ref: FunctionRef): UrlConfig {
    const fn = this.registry.get(ref);
    const config = own(fn.urlConfigs, this.qualifierOf(fn, ref));
    if (!config) throw new ResourceNotFoundException('The resource you requested does not exist.');
    return config;
  }

  async update(ref: FunctionRef, input: UrlInput): Promise<UrlConfig> {
    this.get(ref);
    const qualifier = this.qualifierOf(this.registry.get(ref), ref);
    return this.registry.update(ref, (f) => {
      const c = own(f.urlConfigs, qualifier);
      if (!c) throw new ResourceNotFoundException('The resource you requested does not exist.');
      if (input.AuthType !== undefined) c.AuthType = input.AuthType;
      if (input.Cors !== undefined) c.Cors = input.Cors;
      if (input.InvokeMode !== undefined) c.InvokeMode = input.InvokeMode;
      c.LastModifiedTime = new Date(this.clock.now()).toISOString();
      return { doc: f, result: c };
    });
  }

  async delete(ref: FunctionRef): Promise<void> {
    this.get(ref);
    const qualifier = this.qualifierOf(this.registry.get(ref), ref);
    await this.registry.update(ref, (f) => {
      delete f.urlConfigs[qualifier];
      return { doc: f, result: undefined };
    });
  }

  list(ref: FunctionRef): UrlConfig[] {
    return Object.values(this.registry.get(ref).urlConfigs);
  }

  /** The URL configuration with this id, and the function and qualifier it belongs to. */
  byId(urlId: string): { fn: FunctionRecord; qualifier: string; config: UrlConfig } | undefined {
    for (const fn of this.registry.all()) {
      for (const [qualifier, config] of Object.entries(fn.urlConfigs)) if (config.urlId === urlId) return { fn, qualifier, config };
    }
    return undefined;
  }

  /** The qualifier a URL configuration is kept under: a URL belongs to $LATEST or an alias, never to a version. */
  private qualifierOf(fn: FunctionRecord, ref: FunctionRef): string {
    const target = resolveQualifier(fn, ref.qualifier);
    if (target.kind === 'version') throw new InvalidParameterValueException('Function URLs are supported on $LATEST and aliases only.');
    return target.qualifier;
  }
}
