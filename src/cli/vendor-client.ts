import { createClient } from '../core.js';
import { withAudit, type GateClient } from '../core/index.js';
import type { ProvisionArgs } from './args.js';
import { actorName, type AuditLog } from './files.js';
import type { Io } from './output.js';

/**
 * The CLI's vendor client: every HTTP request counted for the summary (retries included), and
 * each action recorded in the audit log when `--audit` is given.
 */
export function cliClient(
  args: Pick<ProvisionArgs, 'vendor' | 'apiBase' | 'providerId' | 'timeoutMs' | 'retries'>,
  token: string | undefined,
  audit: AuditLog | undefined,
  io: Io,
): { client: GateClient; counted: { requests: number } } {
  const counted = { requests: 0 };
  const vendorClient = createClient(args.vendor, {
    apiBase: args.apiBase,
    token,
    providerId: args.providerId,
    timeoutMs: args.timeoutMs,
    retries: args.retries,
    fetch: (input, init) => (counted.requests++, fetch(input, init)),
  });
  const client = audit ? withAudit(vendorClient, audit.append, { actor: actorName(io) }) : vendorClient;
  return { client, counted };
}
