/** stsctl's library API. */
export * from './core/index.js';
export * from './commands/create.js';
export * from './commands/reporter.js';
export { runCli, buildProgram } from './cli/program.js';
