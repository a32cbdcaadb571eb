#!/usr/bin/env node
import { runCli } from './program.js';

// The AWS SDK warns on every run that its releases after January 2027 need Node 22; stsctl supports
// Node 20 and pins the SDK, so that notice is noise here. Every other warning is printed as usual.
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name === 'NodeVersionSupportWarning' || w.message.startsWith('NodeVersionSupportWarning')) return;
  process.stderr.write(`(node:${process.pid}) ${w.name}: ${w.message}\n`);
});

const code = await runCli(process.argv.slice(2), {
  io: {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  },
});
process.exitCode = code;
