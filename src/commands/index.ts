/**
 * The provisioning engine as a library (`stsctl/provision`): observe the account, plan the changes
 * (pure), apply them; delete what a cluster owns; rotate the signing key. The CLI's real runs of
 * `create-*`, `plan`, `delete` and `rotate-keys` are these functions. See docs/library.md.
 */
export {
  provision,
  previewPlan,
  type ProvisionOptions,
  type ProvisionDeps,
  type ProvisionResult,
  type ProvisionScope,
  type DnsRecordInstruction,
} from './provision.js';
export { deleteResources, type DeleteCommandOptions } from './delete.js';
export {
  addRotationKey,
  retireRotationKeys,
  nextSignerSecret,
  NEXT_KEY_DIR,
  RETIRED_KEY_DIR,
  NEXT_SIGNER_SECRET_PATH,
  type RotateCommon,
  type RotationResult,
} from './rotate-keys.js';
export * from './create.js';
export * from './reporter.js';
