import { createServer, type AddressInfo } from 'node:net';

/**
 * Free TCP ports on 127.0.0.1 for tests that must know a port before anything listens (a
 * peer's address in the other node's config). All are held at once, so they are distinct,
 * then released for the code under test.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve) => {
          const server = createServer();
          server.listen(0, '127.0.0.1', () => {
            resolve(server);
          });
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}
