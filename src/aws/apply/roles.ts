import {
  CreateRoleCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from '@aws-sdk/client-iam';
import { setTimeout as sleep } from 'node:timers/promises';
import { StsctlError } from '../../core/errors.js';
import { issuerHostPath } from '../../core/issuer.js';
import { partitionForRegion } from '../../core/partitions.js';
import { mapLimit } from '../concurrency.js';
import { awsCall, awsFailure, isAwsError } from '../errors.js';
import type { DesiredRole } from '../model.js';
import { findChange, isPending, touches, type Change, type Plan } from '../plan.js';
import { awsTags, type AppliedLog, type ApplyOptions } from './types.js';

/** Applies the component roles, several at once: created, or the attributes the plan names updated. */

async function putInlinePolicy(o: ApplyOptions, role: DesiredRole): Promise<void> {
  await awsCall(`putting the inline policy of ${role.name}`, () =>
    o.clients.iam.send(
      new PutRolePolicyCommand({
        RoleName: role.name,
        PolicyName: role.name,
        PolicyDocument: role.inlinePolicy,
      }),
    ),
  );
}

async function updateTrust(o: ApplyOptions, role: DesiredRole, trust: string): Promise<void> {
  await awsCall(`updating the trust policy of ${role.name}`, () =>
    o.clients.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: role.name, PolicyDocument: trust })),
  );
}

async function createRole(o: ApplyOptions, role: DesiredRole, trust: string, arn: string): Promise<void> {
  const deadline = Date.now() + (o.consistencyTimeoutMs ?? 60_000);
  for (let pause = 500; ; pause = Math.min(pause * 2, 5000)) {
    try {
      await o.clients.iam.send(
        new CreateRoleCommand({
          RoleName: role.name,
          Description: role.description,
          AssumeRolePolicyDocument: trust,
          Tags: awsTags(role.tags),
          ...(role.permissionsBoundaryArn === undefined
            ? {}
            : { PermissionsBoundary: role.permissionsBoundaryArn }),
        }),
      );
      o.reporter.emit('role.created', { roleName: role.name, arn });
      break;
    } catch (e) {
      if (isAwsError(e, 'EntityAlreadyExistsException', 'EntityAlreadyExists')) {
        // Created by a run that was killed before it could say so; the next run repairs any drift.
        o.reporter.emit('role.found', { roleName: role.name, arn });
        await updateTrust(o, role, trust);
        break;
      }
      // IAM is eventually consistent: a provider created a moment ago may not resolve yet as a principal.
      if (
        isAwsError(e, 'MalformedPolicyDocumentException', 'MalformedPolicyDocument') &&
        Date.now() + pause < deadline
      ) {
        await sleep(pause);
        continue;
      }
      throw awsFailure(`creating role ${role.name}`, e);
    }
  }
  await putInlinePolicy(o, role);
}

/** Brings an existing role's attributes named by the plan (`trustPolicy`, `inlinePolicy`, …) up to date. */
async function updateRole(o: ApplyOptions, role: DesiredRole, trust: string, c: Change): Promise<void> {
  const { clients } = o;
  if (touches(c, 'trustPolicy')) await updateTrust(o, role, trust);
  if (touches(c, 'inlinePolicy')) await putInlinePolicy(o, role);
  const boundary = role.permissionsBoundaryArn;
  if (touches(c, 'permissionsBoundary') && boundary !== undefined) {
    await awsCall(`setting the permissions boundary of ${role.name}`, () =>
      clients.iam.send(
        new PutRolePermissionsBoundaryCommand({ RoleName: role.name, PermissionsBoundary: boundary }),
      ),
    );
  }
  if (touches(c, 'description')) {
    await awsCall(`updating the description of ${role.name}`, () =>
      clients.iam.send(new UpdateRoleCommand({ RoleName: role.name, Description: role.description })),
    );
  }
  if (touches(c, 'tags')) {
    await awsCall(`tagging role ${role.name}`, () =>
      clients.iam.send(new TagRoleCommand({ RoleName: role.name, Tags: awsTags(role.tags) })),
    );
  }
}

/** Every role of the plan; returns role ARN by role name. */
export async function applyRoles(
  o: ApplyOptions,
  p: Plan,
  applied: AppliedLog,
): Promise<Map<string, string>> {
  const { desired, reporter } = o;
  const providerArn = p.providerArn;
  const issuer = p.issuer;
  if (providerArn === undefined || issuer === undefined) {
    throw new StsctlError('PROVIDER_UNKNOWN', 'the IAM OIDC provider is unknown; roles cannot trust it', {
      kind: 'failure',
    });
  }
  const hostPath = issuerHostPath(issuer);
  const arns = new Map<string, string>();
  const partition = partitionForRegion(desired.region).id;
  await mapLimit(desired.roles, o.roleConcurrency ?? 8, async (role) => {
    const c = findChange(p, 'role', role.name);
    const trust = role.trustPolicy(providerArn, hostPath);
    const arn = `arn:${partition}:iam::${p.accountId}:role/${role.name}`;
    if (c?.action === 'create') {
      await createRole(o, role, trust, arn);
      applied.push(c);
    } else if (isPending(c)) {
      await updateRole(o, role, trust, c);
      reporter.emit('role.updated', { roleName: role.name, arn, fields: c.fields.map((f) => f.field) });
      applied.push(c);
    } else {
      reporter.emit('role.found', { roleName: role.name, arn });
    }
    arns.set(role.name, arn);
  });
  return arns;
}
