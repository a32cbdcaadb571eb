/** Where the server writes its one line per request. Secrets never reach it. */
export interface StsLogger {
  info(message: string): void;
  warn(message: string): void;
}
