// Preloaded with `node --import` by the start-up test: records every module URL the process
// resolves (ESM imports and, through the ESM loader, CommonJS packages imported from ESM) into the
// file named by STSCTL_MODULE_TRACE, one URL a line. The hooks run on Node's loader thread.
import { register } from 'node:module';

const out = process.env['STSCTL_MODULE_TRACE'];
if (out !== undefined) {
  register('./module-trace-hooks.mjs', import.meta.url, { data: { out } });
}
