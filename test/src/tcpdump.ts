import type { Lab, LabHost } from './lab.js';
import type { LabProcess } from './lab-process.js';

/**
 * tcpdump on `host`'s lab interface, one line per frame as it arrives (`-l`, immediate mode),
 * with the link header (`-e`) and epoch timestamps (`-tt`) that the capture parsers read.
 * Resolves once it listens, so nothing sent after that is missed.
 */
export async function startTcpdump(
  lab: Lab,
  host: LabHost,
  filter: string,
  name: string,
): Promise<LabProcess> {
  const child = lab.spawn(
    host,
    ['tcpdump', '-i', host.interface, '-e', '-n', '-l', '-tt', '--immediate-mode', filter],
    { name },
  );
  await child.waitForLine(/listening on/, 10_000, 'stderr');
  return child;
}

/** SIGINT makes tcpdump flush what it buffered before exiting. */
export async function stopTcpdump(child: LabProcess): Promise<void> {
  child.signal('SIGINT');
  await child.stop(2_000);
}
