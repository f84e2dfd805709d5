// upreg_device.mjs PORT USER PASSWORD SECONDS: one JsSIP device registers
// over WSS to the gateway, stays SECONDS, then closes its WebSocket (the
// gateway must then take the user's upstream registration down).
import WebSocketImpl from 'ws';
import JsSIP from 'jssip';

const [port, user, password, seconds] = process.argv.slice(2);
class TestWebSocket extends WebSocketImpl {
  constructor(u, protocols) {
    super(u, protocols, { rejectUnauthorized: false });
  }
}
globalThis.WebSocket = TestWebSocket;

const ua = new JsSIP.UA({
  sockets: [new JsSIP.WebSocketInterface(`wss://127.0.0.1:${port}/ws`)],
  uri: `sip:${user}@sipcloak.test`,
  password,
  register: true,
  register_expires: 600,
});
const t = setTimeout(() => { console.error('device: no registration'); process.exit(1); }, 10000);
ua.on('registered', () => {
  clearTimeout(t);
  console.log('device registered');
  // the tab closes: JsSIP unregisters and closes its WebSocket
  setTimeout(() => { ua.stop(); setTimeout(() => process.exit(0), 300); },
    Number(seconds) * 1000);
});
ua.on('registrationFailed', (e) => { console.error('device:', e.cause); process.exit(1); });
ua.start();
