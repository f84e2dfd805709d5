// ctl.mjs PORT: the control socket through the real binary: JsSIP registers
// a CLI-made device over WSS; `device list` shows it online with its
// address; `device revoke` ends the registration at once (the re-REGISTER
// gets 403, `device list` says offline); a revoke the server is not told
// of (CTL_BLIND_CONFIG names another socket) still refuses the device's
// next REGISTER after 1 s; wrong passwords make `ban list` show the
// source; `ban clear` lifts it; `user remove` ends registrations.
// The shell (ctl.sh) made the devices: CTL_DEVICES, CTL_CLI, CTL_CONFIG.
import WebSocketImpl from 'ws';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import JsSIP from 'jssip';

const port = process.argv[2];
const url = `wss://127.0.0.1:${port}/ws`;
const DOMAIN = 'sipcloak.test';
const DEV = JSON.parse(process.env.CTL_DEVICES); // { dev1: {id,user,password}, dev2, spare, lost }
let passed = 0;
let failed = 0;

class TestWebSocket extends WebSocketImpl {
  constructor(u, protocols) {
    super(u, protocols, { rejectUnauthorized: false });
  }
}
globalThis.WebSocket = TestWebSocket;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// sipcloak ARGS: { status, out, err }
function cli(...args) {
  const r = spawnSync(process.env.CTL_CLI, ['-c', process.env.CTL_CONFIG, ...args],
    { encoding: 'utf8', timeout: 10000 });
  return { status: r.status, out: r.stdout, err: r.stderr };
}
function cliJson(...args) {
  const r = cli('--json', ...args);
  assert.equal(r.status, 0, `sipcloak ${args.join(' ')}: ${r.status} ${r.out} ${r.err}`);
  return JSON.parse(r.out);
}

// Resolves at the first registered / registrationFailed of ua.
function outcome(ua, ms = 5000) {
  return new Promise((resolve) => {
    let over = false;
    const done = (r) => {
      if (over) return;
      over = true;
      clearTimeout(t);
      ua.removeAllListeners('registered');
      ua.removeAllListeners('registrationFailed');
      resolve(r);
    };
    const t = setTimeout(() => done({ ok: false, cause: 'timeout' }), ms);
    ua.on('registered', () => done({ ok: true }));
    ua.on('registrationFailed', (e) =>
      done({ ok: false, cause: e.cause, status: e.response && e.response.status_code }));
  });
}

// After the gateway closed the device's WebSocket (revoked, removed):
// JsSIP reconnects on its own (2 s or so) and registers again; resolves
// with how that REGISTER was answered.
async function reRegister(ua) {
  const end = Date.now() + 15000;
  for (;;) {
    const p = outcome(ua, Math.max(end - Date.now(), 1));
    if (ua.isConnected())
      ua.register();
    const r = await p;
    // the socket closing is reported as a failure without a response
    if (r.ok || r.status || Date.now() >= end)
      return r;
    await sleep(500);
  }
}

async function jssip(user, password) {
  const ua = new JsSIP.UA({
    sockets: [new JsSIP.WebSocketInterface(url)],
    uri: `sip:${user}@${DOMAIN}`,
    password,
    register: true,
    register_expires: 600,
  });
  const p = outcome(ua);
  ua.start();
  return { ua, ...(await p) };
}

async function stop(r) {
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

const find = (list, d) => list.find((x) => x.sip_username === d.user);

await test('device list shows a registered device online, since when, from where', async () => {
  const before = Math.floor(Date.now() / 1000);
  const r = await jssip(DEV.dev1.user, DEV.dev1.password);
  assert.equal(r.ok, true, `not registered: ${r.cause} ${r.status}`);
  const l = cliJson('device', 'list', 'alice');
  const d1 = find(l, DEV.dev1);
  assert.equal(d1.online, true, JSON.stringify(d1));
  assert.match(d1.address, /^127\.0\.0\.1:\d+$/);
  assert.equal(d1.transport, 'WSS');
  assert.ok(Math.abs(d1.since - before) <= 2, `since ${d1.since} vs ${before}`);
  assert.equal(find(l, DEV.dev2).online, false);
  const t = cli('device', 'list', 'alice');
  assert.equal(t.status, 0);
  const line = t.out.split('\n').find((x) => x.includes(DEV.dev1.user));
  assert.match(line, / yes +\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ +127\.0\.0\.1:\d+$/);
  DEV.dev1.ua = r;
});

await test('device revoke ends the registration at once; the re-REGISTER gets 403', async () => {
  const r = DEV.dev1.ua;
  const t = cli('device', 'revoke', String(DEV.dev1.id));
  assert.equal(t.status, 0, t.err);
  assert.equal(t.out, `device ${DEV.dev1.id} revoked\n1 registration(s) ended\n`);
  // the registrar no longer lists it, and its WebSocket was closed: the
  // client reconnects by itself and its next REGISTER gets 403
  const d1 = find(cliJson('device', 'list', 'alice'), DEV.dev1);
  assert.equal(d1.online, false, JSON.stringify(d1));
  assert.equal(d1.revoked, true);
  const again = await reRegister(r.ua);
  assert.equal(again.ok, false);
  assert.equal(again.status, 403);
  await stop(r);
});

await test('a revoke the server is not told of stops the credential within 1 s', async () => {
  const r = await jssip(DEV.lost.user, DEV.lost.password);
  assert.equal(r.ok, true, `not registered: ${r.cause} ${r.status}`);
  // a CLI whose control socket is elsewhere: the store changes, the
  // server hears nothing (as when the message is lost)
  const t = spawnSync(process.env.CTL_CLI,
    ['-c', process.env.CTL_BLIND_CONFIG, 'device', 'revoke', String(DEV.lost.id)],
    { encoding: 'utf8', timeout: 10000 });
  assert.equal(t.status, 0, t.stderr);
  assert.equal(t.stdout, `device ${DEV.lost.id} revoked\nserver not running: nothing to end\n`);
  // its registration and WebSocket stay (nothing ended them), but after
  // the server's periodic store check (GW_REG_CACHE_CHECK_MS) the cached
  // HA1 is gone and the refresh on that same connection is refused
  assert.equal(r.ua.isConnected(), true);
  await sleep(1500);
  const p = outcome(r.ua);
  r.ua.register();
  const again = await p;
  assert.equal(again.ok, false);
  assert.equal(again.status, 403);
  await stop(r);
});

await test('wrong passwords ban the source: ban list shows it, ban clear lifts it', async () => {
  assert.deepEqual(cliJson('ban', 'list'), []);
  for (let i = 0; i < 3; i++) {
    const r = await jssip(DEV.dev2.user, 'guess' + i);
    assert.equal(r.status, 403);
    await stop(r);
  }
  const bans = cliJson('ban', 'list');
  const src = bans.find((b) => b.key === '127.0.0.1');
  assert.ok(src, JSON.stringify(bans));
  assert.equal(src.table, 'source');
  assert.ok(src.remaining > 50 && src.remaining <= 60, JSON.stringify(src));
  assert.equal(src.failures, 1);
  assert.ok(bans.find((b) => b.key === DEV.dev2.user && b.table === 'account'));
  const text = cli('ban', 'list');
  assert.match(text.out, /^127\.0\.0\.1 +source +\d+ +1$/m);
  // banned: even the right password is refused
  const banned = await jssip(DEV.dev2.user, DEV.dev2.password);
  assert.equal(banned.status, 403);
  await stop(banned);
  let c = cli('ban', 'clear', '127.0.0.1');
  assert.equal(c.status, 0, c.err);
  assert.equal(c.out, 'ban on 127.0.0.1 cleared\n');
  c = cli('ban', 'clear', DEV.dev2.user);
  assert.equal(c.status, 0, c.err);
  assert.deepEqual(cliJson('ban', 'list'), []);
  c = cli('ban', 'clear', '127.0.0.1');
  assert.equal(c.status, 1);
  assert.match(c.err, /no ban on '127\.0\.0\.1'/);
  const r = await jssip(DEV.dev2.user, DEV.dev2.password);
  assert.equal(r.ok, true, `still banned: ${r.cause} ${r.status}`);
  DEV.dev2.ua = r;
});

await test('user remove ends the registrations of its devices', async () => {
  const o = cliJson('user', 'remove', 'alice');
  assert.equal(o.registrations_ended, 1, JSON.stringify(o));
  const r = DEV.dev2.ua;
  const again = await reRegister(r.ua);
  assert.equal(again.ok, false);
  assert.equal(again.status, 403);
  await stop(r);
});

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
