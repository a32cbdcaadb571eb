import { parseJson } from '../json-diff.js';
import { change, jsonFields, tagField } from './fields.js';
import { KNOWN_AFTER_APPLY, type Change, type FieldChange, type PlanContext } from './types.js';

/**
 * One change per component role (attributes `trustPolicy`, `inlinePolicy`,
 * `permissionsBoundary`, `description`, `tags`). Pure.
 */
export function planRoles(ctx: PlanContext): Change[] {
  const { providerArn, hostPath } = ctx;
  return ctx.desired.roles.map((role) => {
    const have = ctx.observed.roles.get(role.name);
    const fields: FieldChange[] = [];
    if (have !== undefined) {
      if (providerArn === undefined || hostPath === undefined)
        fields.push({
          attribute: 'trustPolicy',
          field: 'trust policy',
          from: undefined,
          to: KNOWN_AFTER_APPLY,
        });
      else
        fields.push(
          ...jsonFields(
            'trustPolicy',
            'trust',
            have.trustPolicy,
            parseJson(role.trustPolicy(providerArn, hostPath)),
          ),
        );
      if (have.inlinePolicy === undefined)
        fields.push({ attribute: 'inlinePolicy', field: 'inline policy', from: '(none)', to: role.name });
      else
        fields.push(...jsonFields('inlinePolicy', 'policy', have.inlinePolicy, parseJson(role.inlinePolicy)));
      if (
        role.permissionsBoundaryArn !== undefined &&
        have.permissionsBoundaryArn !== role.permissionsBoundaryArn
      ) {
        fields.push({
          attribute: 'permissionsBoundary',
          field: 'permissions boundary',
          from: have.permissionsBoundaryArn ?? '(none)',
          to: role.permissionsBoundaryArn,
        });
      }
      if (have.description !== role.description)
        fields.push({
          attribute: 'description',
          field: 'description',
          from: have.description || '(none)',
          to: role.description,
        });
      fields.push(...tagField(role.tags, have.tags));
    }
    return change('role', role.name, have !== undefined, fields, [role.serves]);
  });
}
