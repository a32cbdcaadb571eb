/** The stsctl command line as a function, for embedding and tests: `runCli(argv, { io })`. */
export { runCli, buildProgram, type RunOptions } from './program.js';
export { EXIT, type CliIo } from './io.js';
