/**
 * Request validators (CreateRequestValidator, Get, GetRequestValidators, Update, Delete): a
 * method naming one has its required request parameters checked before anything else runs
 * (400 "Missing required request parameters"), and with validateRequestBody its body against the
 * method's request model (v1/data/validate.ts).
 */
import { defineOperation } from '../../../../protocols/define-operation.js';
import { boolean, inUri, string, structure } from '../../../../protocols/shapes.js';
import type { Operation } from '../../../service.js';
import type { GatewayDeps } from '../../deps.js';
import { BadRequestException, NotFoundException } from '../../errors.js';
import { gatewayId } from '../../ids.js';
import type { RequestValidator, RestApiDoc } from '../model.js';
import { apiIdMember, byKey, changeApi, defined, ownApi, page, pageMembers } from './common.js';
import { applyPatch, patchMember, scalar } from './patch.js';

const noValidator = () => new NotFoundException('Invalid Request Validator identifier specified');

function validatorOf(api: RestApiDoc, id: string): RequestValidator {
  const v = api.requestValidators && Object.hasOwn(api.requestValidators, id) ? api.requestValidators[id] : undefined;
  if (!v) throw noValidator();
  return v;
}

export function validatorOperations(deps: GatewayDeps): Record<string, Operation> {
  const members = { restApiId: apiIdMember, requestValidatorId: inUri('requestValidatorId') };
  return {
    CreateRequestValidator: defineOperation({
      http: { method: 'POST', uri: '/restapis/{restApiId}/requestvalidators', code: 201 },
      input: structure({ restApiId: apiIdMember, name: string(), validateRequestBody: boolean(), validateRequestParameters: boolean() }),
      handler: (input, ctx) =>
        changeApi(deps, ctx, input.restApiId, (api) => {
          const validators = (api.requestValidators ??= {});
          if (Object.keys(validators).length >= 20) throw new BadRequestException('Unable to create request validator: the API has reached the limit of 20 request validators');
          let id = gatewayId(deps.ids, 6);
          while (Object.hasOwn(validators, id)) id = gatewayId(deps.ids, 6);
          const v: RequestValidator = defined({ id, name: input.name, validateRequestBody: input.validateRequestBody ?? false, validateRequestParameters: input.validateRequestParameters ?? false });
          validators[id] = v;
          return v;
        }),
    }),
    GetRequestValidator: defineOperation({
      http: { method: 'GET', uri: '/restapis/{restApiId}/requestvalidators/{requestValidatorId}' },
      input: structure(members),
      handler: (input, ctx) => validatorOf(ownApi(deps, ctx, input.restApiId), input.requestValidatorId),
    }),
    GetRequestValidators: defineOperation({
      http: { method: 'GET', uri: '/restapis/{restApiId}/requestvalidators' },
      input: structure({ restApiId: apiIdMember, ...pageMembers }),
      handler: (input, ctx) => page(Object.values(ownApi(deps, ctx, input.restApiId).requestValidators ?? {}).sort(byKey((v) => v.id)), (v) => v.id, input.position, input.limit),
    }),
    UpdateRequestValidator: defineOperation({
      http: { method: 'PATCH', uri: '/restapis/{restApiId}/requestvalidators/{requestValidatorId}' },
      input: structure({ ...members, ...patchMember }),
      handler: (input, ctx) =>
        changeApi(deps, ctx, input.restApiId, (api) => {
          const v = validatorOf(api, input.requestValidatorId);
          applyPatch(v, input.patchOperations, [scalar('/name'), scalar('/validateRequestBody', 'boolean'), scalar('/validateRequestParameters', 'boolean')]);
          return v;
        }),
    }),
    DeleteRequestValidator: defineOperation({
      http: { method: 'DELETE', uri: '/restapis/{restApiId}/requestvalidators/{requestValidatorId}', code: 202 },
      input: structure(members),
      handler: async (input, ctx) => {
        await changeApi(deps, ctx, input.restApiId, (api) => {
          validatorOf(api, input.requestValidatorId);
          delete api.requestValidators![input.requestValidatorId];
        });
        return undefined;
      },
    }),
  };
}
