// The programs `npm run demo` runs, checked before the lab starts: a machine without one
// (a minimal Debian 12 has no tcpdump) gets one sentence naming it and the set-up command,
// instead of a LabError stack trace from the first process that could not start.
import { hasTool } from '@vipd/testkit';

export const SETUP_COMMAND = 'sudo ./scripts/setup.sh';

/** Each program the demo runs, and the Debian package that has it. */
export const DEMO_TOOLS: readonly { readonly command: string; readonly debian: string }[] = [
  { command: 'ip', debian: 'iproute2' }, // namespaces, veth, addresses
  { command: 'bridge', debian: 'iproute2' }, // the switch port that goes dark
  { command: 'tcpdump', debian: 'tcpdump' }, // what the client hears (ARP, NA)
];

/** The sentence for the first missing tool, or null when all are on PATH. */
export function missingToolSentence(): string | null {
  const missing = DEMO_TOOLS.find((tool) => !hasTool(tool.command));
  if (missing === undefined) return null;
  return (
    `npm run demo: ${missing.command} is not installed (Debian package ${missing.debian}); ` +
    `run \`${SETUP_COMMAND}\` to install everything the lab needs, then \`npm run demo\` again.`
  );
}
