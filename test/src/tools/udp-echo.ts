// The probe responder that runs in each node namespace: answers every datagram sent to the
// VIP with the probe's sequence number and this node's name, so the client learns which
// node (and so which MAC) is serving the VIP. It binds the VIP before holding it, which the
// lab allows with net.ipv4/ipv6.ip_nonlocal_bind=1; while another node holds the VIP no
// datagram reaches this one.
//
//   node udp-echo.js NODE_NAME PORT ADDRESS [ADDRESS…]
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';

const [nodeName, portText, ...addresses] = process.argv.slice(2);
const port = Number(portText);
if (nodeName === undefined || !Number.isInteger(port) || addresses.length === 0) {
  process.stderr.write('usage: udp-echo NODE_NAME PORT ADDRESS [ADDRESS…]\n');
  process.exit(2);
}
const name = Buffer.from(nodeName, 'utf8');
let bound = 0;
for (const address of addresses) {
  const socket = createSocket(isIPv6(address) ? 'udp6' : 'udp4');
  socket.on('message', (message, from) => {
    if (message.length < 4) return;
    // Reply: the 4-byte sequence number as received, then the node name.
    socket.send(Buffer.concat([message.subarray(0, 4), name]), from.port, from.address);
  });
  socket.on('error', (error) => {
    process.stderr.write(`udp-echo ${address}: ${error.message}\n`);
    process.exit(1);
  });
  socket.bind(port, address, () => {
    bound += 1;
    if (bound === addresses.length) process.stdout.write(`ready ${addresses.join(' ')}\n`);
  });
}
