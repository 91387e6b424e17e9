/** A failure the CLI reports as one line and an exit code (2 usage, 3 connector creation, 1 otherwise). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}
