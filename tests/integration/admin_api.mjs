// admin_api.mjs PORT: a device made through the admin API (DEVICE, the
// answer of POST /api/v1/users/bob/devices) registers with JsSIP 3.13 over
// WSS; DELETE /api/v1/devices/{id} ends its registration at once (the API
// reports it and GET shows none), and its credential is refused after.
import WebSocketImpl from 'ws';
import assert from 'node:assert/strict';
import JsSIP from 'jssip';

const port = process.argv[2];
const url = `wss://127.0.0.1:${port}/ws`;
const api = `https://127.0.0.1:${port}/api/v1`;
const dev = JSON.parse(process.env.DEVICE);
const auth = { authorization: `Bearer ${process.env.API_TOKEN}` };

class TestWebSocket extends WebSocketImpl {
  constructor(u, protocols) {
    super(u, protocols, { rejectUnauthorized: false });
  }
}
globalThis.WebSocket = TestWebSocket;

function jssip(user, password, ms = 5000) {
  return new Promise((resolve) => {
    const ua = new JsSIP.UA({
      sockets: [new JsSIP.WebSocketInterface(url)],
      uri: `sip:${user}@${dev.realm}`,
      password,
      register: true,
      register_expires: 600,
    });
    let over = false;
    const done = (r) => {
      if (over) return;
      over = true;
      clearTimeout(t);
      resolve({ ua, ...r });
    };
    const t = setTimeout(() => done({ ok: false, cause: 'timeout' }), ms);
    ua.on('registered', () => done({ ok: true }));
    ua.on('registrationFailed', (e) =>
      done({ ok: false, status: e.response && e.response.status_code }));
    ua.start();
  });
}

const get = async (path) => {
  const r = await fetch(api + path, { headers: auth });
  assert.equal(r.status, 200, `GET ${path}: ${r.status}`);
  return r.json();
};

const r = await jssip(dev.sip_username, dev.password);
assert.equal(r.ok, true, `JsSIP not registered: ${r.status}`);
let d = await get(`/devices/${dev.device}`);
assert.equal(d.registrations, 1, 'the registration shows in GET /devices');
const list = await get('/users/bob/devices');
assert.equal(list[0].registrations, 1);

const del = await fetch(`${api}/devices/${dev.device}`, { method: 'DELETE', headers: auth });
assert.equal(del.status, 200);
const body = await del.json();
assert.equal(body.registrations_ended, 1, JSON.stringify(body));
d = await get(`/devices/${dev.device}`);
assert.equal(d.revoked, true);
assert.equal(d.registrations, 0, 'the registration ended at once');
const again = await fetch(`${api}/devices/${dev.device}`, { method: 'DELETE', headers: auth });
assert.equal(again.status, 409, 'revoking twice');
r.ua.stop();

const r2 = await jssip(dev.sip_username, dev.password);
assert.equal(r2.ok, false, 'a revoked device registers again');
assert.equal(r2.status, 403);
r2.ua.stop();
console.log('ok   JsSIP registration ended by DELETE /api/v1/devices/{id}');
process.exit(0);
