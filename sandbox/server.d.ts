/** `doctor-gate sandbox …`: parses the arguments, serves the sandbox with CORS on, resolves to the exit code. */
export declare function sandboxMain(
  argv: readonly string[],
  io?: {
    command?: string;
    stdout?: { write(text: string): unknown };
    stderr?: { write(text: string): unknown };
  },
): Promise<number>;
