/**
 * Every command of `doctor-gate`, as `--help` lists them. A new command is one line here (and
 * its handler where the CLI dispatches it).
 */
export const COMMANDS: readonly { name: string; summary: string }[] = [
  { name: 'provision', summary: 'make sure every doctor of a roster (CSV or JSON) has a user at the vendor' },
  {
    name: 'reconcile',
    summary: 'make the vendor match a roster: plan, then create, reactivate, deactivate (and prune)',
  },
  { name: 'sandbox', summary: 'run the local vendor sandbox (Speaknosis, Prescrypto, a stand-in app), CORS on' },
  { name: 'example-roster', summary: 'print the path of the sample roster shipped in the package' },
];

/** The command overview that `doctor-gate --help` prints above the options of `provision`. */
export function commandsHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  const lines = COMMANDS.map((command) => `  ${command.name.padEnd(width)}   ${command.summary}`);
  return `Usage: doctor-gate <command> [options]

Commands:
${lines.join('\n')}

"doctor-gate <command> --help" prints the options of one command.`;
}
