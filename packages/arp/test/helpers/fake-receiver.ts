// A receiving FrameSender double: tests push frames in as if they had arrived on the wire.
import type { FrameSender } from '../../src/announcer.js';
import type { ArpError } from '../../src/errors.js';

export interface FakeReceiver extends FrameSender {
  readonly interface: string;
  readonly sent: Buffer[];
  closed: boolean;
  mac: string;
  deliver(frame: Buffer): void;
}

export function fakeReceivers(mac: string) {
  const opened = new Map<string, FakeReceiver>();
  const open = (
    interfaceName: string,
    onFrame: (bytes: Buffer) => void,
    _onError: (error: ArpError) => void,
  ) => {
    const receiver: FakeReceiver = {
      interface: interfaceName,
      sent: [],
      closed: false,
      mac,
      macAddress: () => receiver.mac,
      send: (frame) => {
        receiver.sent.push(Buffer.from(frame));
        return true;
      },
      close: () => {
        receiver.closed = true;
      },
      deliver: (frame) => {
        onFrame(frame);
      },
    };
    opened.set(interfaceName, receiver);
    return receiver;
  };
  return { open, opened };
}
