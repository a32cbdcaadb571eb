/**
 * stsctl's library API, root entry: the pure core (keys, kid, JWKS, discovery, issuer URLs and
 * partitions, CredentialsRequests, IAM documents and names, manifests, tokens) and the offline,
 * ccoctl-compatible file generation (`createAll({ dryRun: true, … })` and its siblings).
 *
 * Importing it loads neither the CLI nor the AWS SDK. The other parts have entries of their own:
 * `stsctl/core`, `stsctl/webidentity` (the model of AssumeRoleWithWebIdentity), `stsctl/sts` (the
 * validating STS server), `stsctl/sandbox`, `stsctl/doctor`, `stsctl/provision` (observe → plan →
 * apply against AWS) and `stsctl/cli` (`runCli`). See docs/library.md.
 */
export * from './core/index.js';
export * from './commands/create.js';
export * from './commands/reporter.js';
