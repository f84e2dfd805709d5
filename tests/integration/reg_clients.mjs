// reg_clients.mjs PORT: JsSIP 3.13 and SIP.js 0.21 register over WSS
// (RFC 7118) through the gateway's REGISTER handling: MD5-first digest,
// 200 with their contact, wrong password 403, revoked 403, bans and their
// lifting (the test's config bans for 3 s). The devices were created with
// the CLI (reg_clients.sh) and come in REG_DEVICES.
import WebSocketImpl from 'ws';
import assert from 'node:assert/strict';
import JsSIP from 'jssip';
import { UserAgent, Registerer, RegistererState } from 'sip.js';

const port = process.argv[2];
const url = `wss://127.0.0.1:${port}/ws`;
const DOMAIN = 'sipcloak.test';
// { dev1: { user, password }, dev2, dev3, revoked }: from `device add --json`
const DEV = JSON.parse(process.env.REG_DEVICES);
// [{ device, sip_username, password, ... }]: `device add bob --count 3 --json`
const BULK = JSON.parse(process.env.REG_BULK);
let passed = 0;
let failed = 0;

// Both libraries open `new WebSocket(url, 'sip')`: give them ws, trusting
// the gateway's self-signed certificate.
const sockets = [];
class TestWebSocket extends WebSocketImpl {
  constructor(u, protocols) {
    super(u, protocols, { rejectUnauthorized: false });
    sockets.push(this);
  }
}
globalThis.WebSocket = TestWebSocket;
if (process.env.JSSIP_DEBUG) JsSIP.debug.enable('JsSIP:*');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function jssip(user, password, ms = 5000, extra = {}) {
  return new Promise((resolve) => {
    const socket = new JsSIP.WebSocketInterface(url);
    const ua = new JsSIP.UA({
      sockets: [socket],
      uri: `sip:${user}@${DOMAIN}`,
      password,
      register: true,
      register_expires: 600,
      ...extra,
    });
    let over = false;
    const done = (r) => {
      if (over) return;
      over = true;
      clearTimeout(t);
      resolve({ ua, ...r });
    };
    const t = setTimeout(() => done({ ok: false, cause: 'timeout' }), ms);
    ua.on('registered', (e) => done({ ok: true, response: e.response }));
    ua.on('registrationFailed', (e) =>
      done({ ok: false, cause: e.cause, status: e.response && e.response.status_code }));
    ua.start();
  });
}

async function sipjs(user, password, ms = 5000) {
  const ua = new UserAgent({
    uri: UserAgent.makeURI(`sip:${user}@${DOMAIN}`),
    transportOptions: { server: url },
    authorizationUsername: user,
    authorizationPassword: password,
    logBuiltinEnabled: false,
  });
  await ua.start();
  const reg = new Registerer(ua, { expires: 600 });
  return new Promise((resolve) => {
    let over = false;
    const done = (r) => {
      if (over) return;
      over = true;
      clearTimeout(t);
      resolve({ ua, reg, ...r });
    };
    const t = setTimeout(() => done({ ok: false, cause: 'timeout' }), ms);
    reg.stateChange.addListener((s) => {
      if (s === RegistererState.Registered) done({ ok: true });
    });
    reg.register({
      requestDelegate: {
        onAccept: (resp) => done({ ok: true, message: resp.message }),
        onReject: (resp) => done({ ok: false, status: resp.message.statusCode }),
      },
    });
  });
}

async function stopJssip(r) {
  r.ua.stop();
  await sleep(200);
}

async function test(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.stack || e}`);
  }
}

await test('JsSIP registers (MD5 digest, reg-id, its contact in the 200)', async () => {
  const r = await jssip(DEV.dev1.user, DEV.dev1.password);
  assert.equal(r.ok, true, `not registered: ${r.cause} ${r.status}`);
  const contacts = r.response.getHeaders('contact');
  assert.ok(contacts.length >= 1);
  assert.match(contacts.join('\n'), /expires=600/);
  assert.match(r.response.getHeader('require') || '', /outbound/);
  await stopJssip(r);
});

await test('every device of one `device add --count` registers with its own password', async () => {
  assert.equal(BULK.length, 3);
  for (const d of BULK) {
    const r = await jssip(d.sip_username, d.password);
    assert.equal(r.ok, true, `${d.sip_username}: ${r.cause} ${r.status}`);
    await stopJssip(r);
  }
  // (a sibling's password is not tried: it would count toward the ban
  // that a later test provokes on purpose)
  assert.equal(new Set(BULK.map((d) => d.password)).size, 3);
});

await test('SIP.js registers while JsSIP tabs of dev1 are registered', async () => {
  const a = await jssip(DEV.dev1.user, DEV.dev1.password);
  const b = await jssip(DEV.dev1.user, DEV.dev1.password);
  assert.equal(a.ok && b.ok, true);
  // Two tabs (instances) of one device: both contacts listed.
  const contacts = b.response.getHeaders('contact');
  assert.equal(contacts.length, 2, contacts.join('\n'));
  const s = await sipjs(DEV.dev2.user, DEV.dev2.password);
  assert.equal(s.ok, true, `SIP.js not registered: ${s.cause} ${s.status}`);
  await s.ua.stop();
  await stopJssip(a);
  await stopJssip(b);
});

await test('a tab whose WebSocket drops is unregistered at once', async () => {
  const a = await jssip(DEV.dev1.user, DEV.dev1.password, 5000, {
    connection_recovery_min_interval: 30,
    connection_recovery_max_interval: 60,
  });
  assert.equal(a.ok, true);
  const ws = sockets[sockets.length - 1];
  ws.terminate(); // no un-REGISTER, no close handshake
  a.ua.stop();
  await sleep(300);
  const b = await jssip(DEV.dev1.user, DEV.dev1.password);
  assert.equal(b.ok, true);
  const contacts = b.response.getHeaders('contact');
  assert.equal(contacts.length, 1, contacts.join('\n'));
  await stopJssip(b);
});

await test('a wrong password gets 403 (JsSIP and SIP.js)', async () => {
  const r = await jssip(DEV.dev1.user, 'not-the-password');
  assert.equal(r.ok, false);
  assert.equal(r.status, 403);
  await stopJssip(r);
  const s = await sipjs(DEV.dev2.user, 'not-the-password');
  assert.equal(s.ok, false);
  assert.equal(s.status, 403);
  await s.ua.stop();
});

await test('a revoked device gets 403, and it is not counted as a failure', async () => {
  for (let i = 0; i < 6; i++) {
    const r = await jssip(DEV.revoked.user, DEV.revoked.password);
    assert.equal(r.status, 403);
    await stopJssip(r);
  }
  // Two real failures so far (above): the source is not banned yet.
  const r = await jssip(DEV.dev1.user, DEV.dev1.password);
  assert.equal(r.ok, true, `not registered: ${r.cause} ${r.status}`);
  await stopJssip(r);
});

await test('repeated failures ban the source, the ban is lifted after its period', async () => {
  for (let i = 0; i < 5; i++) {
    const r = await jssip(DEV.dev3.user, 'guess' + i);
    assert.equal(r.status, 403);
    await stopJssip(r);
  }
  const banned = await jssip(DEV.dev1.user, DEV.dev1.password);
  assert.equal(banned.ok, false);
  assert.equal(banned.status, 403);
  await stopJssip(banned);
  await sleep(3200);
  const r = await jssip(DEV.dev1.user, DEV.dev1.password);
  assert.equal(r.ok, true, `still banned: ${r.cause} ${r.status}`);
  await stopJssip(r);
});

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
