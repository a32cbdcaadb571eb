#!/usr/bin/env node
import { readFileSync } from 'node:fs';

// `stsctl --version` answers before anything else loads: it is what scripts and installers call to
// probe the tool, so it costs a bare Node start (docs/PERFORMANCE.md, "CLI start-up").
const argv = process.argv.slice(2);
if (argv.length === 1 && argv[0] === '--version') {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  process.stdout.write(`${pkg.version}\n`);
} else {
  // The AWS SDK warns on every run that its releases after January 2027 need Node 22; stsctl supports
  // Node 20 and pins the SDK, so that notice is noise here. Every other warning is printed as usual.
  process.removeAllListeners('warning');
  process.on('warning', (w) => {
    if (w.name === 'NodeVersionSupportWarning' || w.message.startsWith('NodeVersionSupportWarning')) return;
    process.stderr.write(`(node:${process.pid}) ${w.name}: ${w.message}\n`);
  });

  // Regions AWS opened after this release (docs/commands.md, "Regions").
  const extraRegions = process.env['STSCTL_EXTRA_REGIONS'];
  if (extraRegions !== undefined && extraRegions !== '') {
    const { allowAdditionalRegions } = await import('../core/partitions.js');
    allowAdditionalRegions(extraRegions.split(',').map((r) => r.trim()));
  }
  const { installInterruptHandlers } = await import('./interrupt.js');
  installInterruptHandlers(process.stderr);
  const { runCli } = await import('./program.js');
  process.exitCode = await runCli(argv, {
    io: {
      stdout: process.stdout,
      stderr: process.stderr,
      stdin: process.stdin,
      env: process.env,
      cwd: process.cwd(),
    },
  });
}
