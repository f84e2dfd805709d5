// xfer.mjs: transfers through the real gateway (run by xfer.sh): Debian's
// Chromium pages running JsSIP (alice, bob, carol; page.js) and sipp as the
// PBX on two trunks ("pbx" dials ^[0-6]..., "pbx2" dials ^7...). Every sipp
// is started here, on 127.0.0.1, and killed at the end.
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';

const E = process.env;
const WORK = E.WORK;
const DEV = JSON.parse(E.CALL_DEVICES);
const DOMAIN = 'sipcloak.test';
const WS = `wss://127.0.0.1:${E.HTTPS_PORT}/ws`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const scen = (f) => new URL(`./sipp/${f}`, import.meta.url).pathname;
const SILENCE = 0.01;
let passed = 0;
const children = [];

const bundle = fs.readFileSync(path.join(WORK, 'page.bundle.js'));
const html = fs.readFileSync(new URL('./page.html', import.meta.url));
const server = http.createServer((req, res) => {
  const js = req.url === '/page.bundle.js';
  res.writeHead(200, { 'content-type': js ? 'text/javascript' : 'text/html' });
  res.end(js ? bundle : html);
});
await new Promise((r) => server.listen(Number(E.PAGE_PORT), '127.0.0.1', r));

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
    '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync',
    '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
    `--use-file-for-fake-audio-capture=${WORK}/tone.wav`,
    '--autoplay-policy=no-user-gesture-required',
    '--ignore-certificate-errors'],
});

async function tab(name) {
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await ctx.newPage();
  page.on('console', (m) => fs.appendFileSync(`${WORK}/console-${name}.log`, `${m.text()}\n`));
  await page.goto(`http://127.0.0.1:${E.PAGE_PORT}/`);
  const d = DEV[name];
  const ok = await page.evaluate((o) => window.sc.start(o),
    { ws: WS, uri: `sip:${d.user}@${DOMAIN}`, password: d.password });
  assert.ok(ok, `${name} registers`);
  page.devName = name;
  return page;
}

// The n-th (default: last) event `what` on the page, waiting for it.
async function waitEvent(page, what, ms = 10000, n = -1) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ev = await page.evaluate((w) => window.sc.events(w), what);
    if (n < 0 ? ev.length : ev.length > n) return ev[n < 0 ? ev.length - 1 : n];
    await sleep(100);
  }
  const all = await page.evaluate(() => window.sc.events());
  throw new Error(`${page.devName}: no '${what}' within ${ms} ms; events: ${JSON.stringify(all.map((e) => e.what))}`);
}

function sipp(name, port, args, ip = '127.0.0.1') {
  const trace = `${WORK}/sipp-${name}-msgs.log`;
  const p = spawn('sipp', ['-i', ip, '-p', port, '-nostdin',
    '-trace_msg', '-message_file', trace, '-trace_err',
    '-error_file', `${WORK}/sipp-${name}-err.log`, '-timeout', '60s', ...args],
  { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(p);
  let err = '';
  p.stderr.on('data', (d) => { err += d; });
  p.done = new Promise((r) => p.on('exit', (code) => r(code)));
  p.trace = trace;
  p.err = () => `${err} ${fs.existsSync(`${WORK}/sipp-${name}-err.log`) ? fs.readFileSync(`${WORK}/sipp-${name}-err.log`, 'utf8').slice(-2000) : ''}`;
  return p;
}

// A hang anywhere ends the run with what was going on (before CTest's
// timeout would kill it without a word).
let current = 'starting the browser and registering the pages';
const watchdog = setTimeout(async () => {
  console.error(`not ok - stuck for 240 s while: ${current}`);
  await cleanup();
  process.exit(1);
}, 240000);

// XFER_ONLY=<words> runs only the tests whose name contains them.
async function test(name, fn) {
  if (E.XFER_ONLY && !name.includes(E.XFER_ONLY)) return;
  current = name;
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok - ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    console.error(`not ok - ${name}: ${e.stack || e}`);
    await cleanup();
    process.exit(1);
  }
}

async function cleanup() {
  for (const c of children) c.kill('SIGKILL');
  await browser.close().catch(() => {});
  server.close();
}

async function clear(...pages) {
  for (const p of pages) await p.evaluate(() => window.sc.log.splice(0));
}

async function hears(page, who) {
  const a = await page.evaluate(() => window.sc.audio(2500));
  assert.ok(a.packets > 50 && a.level > SILENCE, `${who} hears: ${JSON.stringify(a)}`);
}

// What the messages in a sipp trace say: each message's text.
const messages = (trace) => fs.readFileSync(trace, 'utf8').split(/-{10,}/);

const alice = await tab('alice');
const bob = await tab('bob');
const carol = await tab('carol');
const dave = await tab('dave'); // on pbx3 (srtp)
const erin = await tab('erin'); // on pbx4 (webrtc)

await test('the PBX transfers a device (blind): REFER reaches the page with Refer-To on our domain; its new call goes to the PBX; NOTIFY sipfrag 200 goes back', async () => {
  await clear(alice);
  const target = sipp('xfer-target', E.PBX2_PORT, ['-sn', 'uas', '-m', '1', '-rtp_echo',
    '-mi', '127.0.0.1', '-mp', E.PBX2_MEDIA_PORT]);
  await sleep(300);
  const pbx = sipp('xfer-refer', E.PBX_PORT, ['-sf', scen('uac_refer.xml'), '-m', '1', '-s', '201',
    '-mi', '127.0.0.1', '-mp', E.PBX_MEDIA_PORT, `127.0.0.1:${E.SIP_PORT}`]);
  await waitEvent(alice, 'incoming');
  await alice.evaluate(() => window.sc.answer());
  await waitEvent(alice, 'confirmed');
  const r = await waitEvent(alice, 'refer');
  assert.match(r.target, /^<sip:7050@sipcloak\.test>$/, `Refer-To as the device sees it: ${r.target}`);
  await waitEvent(alice, 'confirmed', 15000, 1); // the new call
  assert.equal(await pbx.done, 0, `the PBX did not get NOTIFY 200 or could not hang up: ${pbx.err()}`);
  await hears(alice, 'alice (through the transfer target, rtp_echo)');
  await alice.evaluate(() => window.sc.hangup());
  assert.equal(await target.done, 0, `transfer target failed: ${target.err()}`);
  const seen = JSON.stringify(await alice.evaluate(() => window.sc.events()));
  assert.ok(!seen.includes(`:${E.PBX_PORT}`) && !seen.includes('SIPpTag'), 'the PBX\'s address or tags reached the browser');
});

await test('device to device, blind: alice transfers bob to carol; bob calls carol through the gateway; alice learns it worked', async () => {
  await clear(alice, bob, carol);
  await alice.evaluate(() => window.sc.call('sip:bob@sipcloak.test'));
  await waitEvent(bob, 'incoming');
  await bob.evaluate(() => window.sc.answer());
  await waitEvent(alice, 'confirmed');
  const r = await alice.evaluate(() => window.sc.refer('sip:carol@sipcloak.test'));
  assert.equal(r, 'accepted');
  const ref = await waitEvent(bob, 'refer');
  assert.match(ref.target, /^<sip:carol@sipcloak\.test>$/);
  const inc = await waitEvent(carol, 'incoming');
  assert.equal(inc.from, 'bob');
  await carol.evaluate(() => window.sc.answer());
  const n = await waitEvent(alice, 'notify', 15000);
  assert.equal(n.status, 'accepted', 'NOTIFY sipfrag 200 relayed to alice');
  await alice.evaluate(() => window.sc.hangup());
  await waitEvent(alice, 'ended');
  await hears(bob, 'bob (carol)');
  await hears(carol, 'carol (bob)');
  await carol.evaluate(() => window.sc.hangup());
  await waitEvent(bob, 'ended', 10000, 1); // its call with alice, then carol's
});

await test('device to device, attended: alice (in calls with bob and carol) transfers bob to carol with Replaces; carol\'s call with alice is replaced by bob', async () => {
  await clear(alice, bob, carol);
  await alice.evaluate(() => window.sc.call('sip:bob@sipcloak.test'));
  await waitEvent(bob, 'incoming');
  await bob.evaluate(() => window.sc.answer());
  await waitEvent(alice, 'confirmed');
  const toCarol = await alice.evaluate(() => { window.sc.call('sip:carol@sipcloak.test'); return window.sc.calls.length - 1; });
  await waitEvent(carol, 'incoming');
  await carol.evaluate(() => window.sc.answer());
  await waitEvent(alice, 'confirmed', 10000, 1);
  const aliceIds = await alice.evaluate(() => window.sc.calls.map((s) => s._dialog && s._dialog.id).filter(Boolean));
  await alice.evaluate((i) => window.sc.use(i - 1), toCarol);
  const r = await alice.evaluate((i) => window.sc.referReplaces('sip:carol@sipcloak.test', i), toCarol);
  assert.equal(r, 'accepted');
  const ref = await waitEvent(bob, 'refer');
  assert.match(ref.target, /^<sip:carol@sipcloak\.test\?Replaces=/, `bob's Refer-To: ${ref.target}`);
  for (const d of aliceIds) {
    assert.ok(!ref.target.includes(d.call_id), "alice's Call-ID reached bob");
    assert.ok(!ref.target.includes(d.remote_tag) && !ref.target.includes(d.local_tag), "a tag of alice's dialogs reached bob");
  }
  const rep = await waitEvent(carol, 'replaces');
  assert.ok(rep.replaces, 'carol got INVITE with Replaces');
  await waitEvent(carol, 'replacing');
  const n = await waitEvent(alice, 'notify', 15000);
  assert.equal(n.status, 'accepted', 'NOTIFY sipfrag 200 relayed to alice');
  // carol's old call (with alice) ends: carol hangs it up, alice gets BYE
  await waitEvent(carol, 'ended', 10000);
  await alice.evaluate(() => window.sc.hangup());
  await hears(bob, 'bob (carol)');
  await hears(carol, 'carol (bob)');
  await bob.evaluate(() => window.sc.hangup());
  await waitEvent(carol, 'ended', 10000, 1);
  const ended = await alice.evaluate(() => window.sc.events('ended'));
  assert.equal(ended.length, 2, `alice's two calls ended: ${JSON.stringify(ended)}`);
});

await test('device to PBX, attended: Refer-To names the PBX\'s own dialog of the other call in Replaces', async () => {
  await clear(alice);
  const pbx = sipp('attended', E.PBX_PORT, ['-sf', scen('uas_attended.xml'), '-m', '2',
    '-rtp_echo', '-mi', '127.0.0.1', '-mp', E.PBX_MEDIA_PORT]);
  await sleep(300);
  const first = await alice.evaluate(() => { window.sc.call('sip:2070@sipcloak.test'); return window.sc.calls.length - 1; });
  await waitEvent(alice, 'confirmed');
  await alice.evaluate(() => window.sc.call('sip:2071@sipcloak.test'));
  await waitEvent(alice, 'confirmed', 10000, 1);
  await alice.evaluate((i) => window.sc.use(i), first);
  const r = await alice.evaluate((i) => window.sc.referReplaces('sip:2071@sipcloak.test', i + 1), first);
  assert.equal(r, 'accepted');
  const n = await waitEvent(alice, 'notify', 15000);
  assert.equal(n.status, 'accepted', 'NOTIFY from the PBX relayed to alice');
  await waitEvent(alice, 'ended', 10000); // the PBX hangs the first call up
  await alice.evaluate((i) => window.sc.use(i + 1), first);
  await alice.evaluate(() => window.sc.hangup());
  assert.equal(await pbx.done, 0, `sipp attended failed: ${pbx.err()}`);
  // the Replaces Call-ID is the Call-ID of the other INVITE sipp got
  const msgs = messages(pbx.trace);
  const invites = msgs.filter((m) => /^\s*INVITE /m.test(m) && /received/.test(m))
    .map((m) => m.match(/^Call-ID:\s*(\S+)/mi)[1]);
  const refer = msgs.find((m) => /^\s*REFER /m.test(m));
  const rt = refer.match(/^Refer-To:\s*(.*)$/mi)[1];
  const id = rt.match(/Replaces=([^%]+)%3B/)[1];
  const referCallId = refer.match(/^Call-ID:\s*(\S+)/mi)[1];
  assert.equal(invites.length, 2, `two INVITEs: ${invites}`);
  assert.ok(invites.includes(id) && id !== referCallId, `Replaces names the other PBX dialog: ${rt} / ${invites}`);
});

await test('device to device, attended into a PBX call: alice transfers bob to her call with the PBX; the PBX gets INVITE with Replaces naming its own dialog', async () => {
  await clear(alice, bob);
  const pbx = sipp('replaces', E.PBX_PORT, ['-sf', scen('uas_replaces.xml'), '-m', '2',
    '-rtp_echo', '-mi', '127.0.0.1', '-mp', E.PBX_MEDIA_PORT]);
  await sleep(300);
  const toBob = await alice.evaluate(() => { window.sc.call('sip:bob@sipcloak.test'); return window.sc.calls.length - 1; });
  await waitEvent(bob, 'incoming');
  await bob.evaluate(() => window.sc.answer());
  await waitEvent(alice, 'confirmed');
  await alice.evaluate(() => window.sc.call('sip:2090@sipcloak.test'));
  await waitEvent(alice, 'confirmed', 10000, 1);
  await alice.evaluate((i) => window.sc.use(i), toBob);
  const r = await alice.evaluate((i) => window.sc.referReplaces('sip:2090@sipcloak.test', i + 1), toBob);
  assert.equal(r, 'accepted');
  const ref = await waitEvent(bob, 'refer');
  assert.match(ref.target, /^<sip:2090@sipcloak\.test\?Replaces=/, `bob's Refer-To: ${ref.target}`);
  assert.ok(!ref.target.includes('SIPpTag'), "the PBX's tag reached bob");
  await waitEvent(bob, 'confirmed', 15000, 1); // bob's call to the PBX
  const n = await waitEvent(alice, 'notify', 15000);
  assert.equal(n.status, 'accepted');
  await alice.evaluate(() => window.sc.hangup()); // alice's call with bob
  await alice.evaluate((i) => window.sc.use(i + 1), toBob);
  await alice.evaluate(() => window.sc.hangup()); // alice's call with the PBX
  await hears(bob, 'bob (the PBX, rtp_echo)');
  await bob.evaluate(() => window.sc.hangup());
  assert.equal(await pbx.done, 0, `sipp replaces failed: ${pbx.err()}`);
  const invites = messages(pbx.trace).filter((m) => /^\s*INVITE /m.test(m));
  assert.equal(invites.length, 2);
  const first = invites[0].match(/^Call-ID:\s*(\S+)/mi)[1];
  const repl = invites[1].match(/^Replaces:\s*(.*)$/mi);
  assert.ok(repl, 'the second INVITE has Replaces');
  assert.match(repl[1], new RegExp(`^${first.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')};to-tag=[0-9]+SIPpTag01[0-9]+;from-tag=\\S+`),
    `Replaces names the PBX's first dialog, its tag as to-tag: ${repl[1]}`);
});

await test('422 Session Interval Too Small: the gateway asks again once with the Min-SE the PBX named', async () => {
  await clear(alice);
  const pbx = sipp('422', E.PBX_PORT, ['-sf', scen('uas_422.xml'), '-m', '1',
    '-rtp_echo', '-mi', '127.0.0.1', '-mp', E.PBX_MEDIA_PORT]);
  await sleep(300);
  await alice.evaluate(() => window.sc.call('sip:2080@sipcloak.test'));
  await waitEvent(alice, 'confirmed');
  await hears(alice, 'alice (rtp_echo)');
  await alice.evaluate(() => window.sc.hangup());
  assert.equal(await pbx.done, 0, `sipp 422 failed: ${pbx.err()}`);
});

await test('late offer: the PBX calls without SDP; the browser gets the gateway\'s offer, the PBX gets one in 200 and answers in ACK; audio both ways', async () => {
  await clear(alice);
  const pbx = sipp('late', E.PBX_PORT, ['-sf', scen('uac_late.xml'), '-m', '1', '-s', '201',
    '-d', '8000', '-rtp_echo', '-mi', '127.0.0.1', '-mp', E.PBX_MEDIA_PORT, `127.0.0.1:${E.SIP_PORT}`]);
  const inc = await waitEvent(alice, 'incoming');
  assert.match(inc.sdp, /UDP\/TLS\/RTP\/SAVPF/, 'the browser got a WebRTC offer');
  await alice.evaluate(() => window.sc.answer());
  await waitEvent(alice, 'confirmed');
  await hears(alice, 'alice (her tone back from sipp\'s rtp_echo)');
  await waitEvent(alice, 'ended', 15000); // the PBX hangs up
  assert.equal(await pbx.done, 0, `sipp late offer failed: ${pbx.err()}`);
});

await test('the PBX transfers a device (attended) to a call of its own: the device\'s Replaces is an opaque token; its INVITE reaches the PBX with the PBX\'s own Replaces', async () => {
  await clear(alice);
  // the PBX's side of the new call: on the connection's target
  const target = sipp('repl-in', E.PBX_PORT, ['-sf', scen('uas_replaces_in.xml'), '-m', '1', '-rtp_echo',
    '-mi', '127.0.0.1', '-mp', E.PBX_MEDIA_PORT]);
  await sleep(300);
  // the transferor: from 127.0.0.1 (the "pbx" connection), another port
  const pbx = sipp('refer-repl', E.PBX2_PORT, ['-sf', scen('uac_refer_repl.xml'), '-m', '1', '-s', '201',
    '-mi', '127.0.0.1', '-mp', E.PBX2_MEDIA_PORT, `127.0.0.1:${E.SIP_PORT}`]);
  await waitEvent(alice, 'incoming');
  await alice.evaluate(() => window.sc.answer());
  await waitEvent(alice, 'confirmed');
  const r = await waitEvent(alice, 'refer');
  assert.match(r.target, /^<sip:2073@sipcloak\.test\?Replaces=[A-Za-z0-9]+%3Bto-tag%3D[A-Za-z0-9]+%3Bfrom-tag%3D[A-Za-z0-9]+>$/,
    `Refer-To as the device sees it: ${r.target}`);
  for (const v of ['pbx-other-call', 'pbxtag1', 'pbxtag2']) assert.ok(!r.target.includes(v), `${v} reached the device`);
  await waitEvent(alice, 'confirmed', 15000, 1); // the new call, to the PBX
  assert.equal(await pbx.done, 0, `the transferor did not get NOTIFY 200 or could not hang up: ${pbx.err()}`);
  await hears(alice, 'alice (the PBX\'s other call, rtp_echo)');
  await alice.evaluate(() => window.sc.hangup());
  assert.equal(await target.done, 0, `the PBX did not get its own Replaces: ${target.err()}`);
  const inv = messages(target.trace).find((m) => /^\s*INVITE /m.test(m));
  assert.match(inv, /^Replaces:\s*pbx-other-call;to-tag=pbxtag1;from-tag=pbxtag2\s*$/mi, 'the PBX\'s value, exactly');
  const frames = JSON.stringify(await alice.evaluate(() => window.sc.frames()));
  for (const v of ['pbx-other-call', 'pbxtag1', 'pbxtag2']) assert.ok(!frames.includes(v), `${v} in the device's frames`);
});

await test('device to PBX, attended, other call with a device: the PBX is referred to the gateway, whose INVITE with Replaces rings carol in place of alice', async () => {
  await clear(alice, carol);
  const pbx = sipp('xfer-gw', E.PBX_PORT, ['-sf', scen('uas_xfer_gw.xml'), '-m', '1', '-d', '6000',
    '-mi', '127.0.0.1', '-mp', E.PBX_MEDIA_PORT]);
  await sleep(300);
  const toPbx = await alice.evaluate(() => { window.sc.call('sip:2072@sipcloak.test'); return window.sc.calls.length - 1; });
  await waitEvent(alice, 'confirmed');
  await alice.evaluate(() => window.sc.call('sip:carol@sipcloak.test'));
  await waitEvent(carol, 'incoming');
  await carol.evaluate(() => window.sc.answer());
  await waitEvent(alice, 'confirmed', 10000, 1);
  await alice.evaluate((i) => window.sc.use(i), toPbx);
  const r = await alice.evaluate((i) => window.sc.referReplaces('sip:carol@sipcloak.test', i + 1), toPbx);
  assert.equal(r, 'accepted', 'the REFER toward the PBX was accepted (not 481)');
  // the PBX's REFER as sipp got it: Refer-To at the gateway
  let refer;
  for (let i = 0; i < 50 && !refer; i++) {
    refer = fs.existsSync(pbx.trace) && messages(pbx.trace).find((m) => /^\s*REFER /m.test(m));
    if (!refer) await sleep(100);
  }
  assert.ok(refer, 'the PBX got the REFER');
  const rt = refer.match(/^Refer-To:\s*<([^?>]+)\?Replaces=([^>]+)>/mi);
  assert.ok(rt, `Refer-To: ${refer}`);
  assert.ok(rt[1].endsWith(`@127.0.0.1:${E.SIP_PORT}`), `Refer-To points at the gateway: ${rt[1]}`);
  const repl = decodeURIComponent(rt[2]);
  const carolIds = await carol.evaluate(() => window.sc.calls.map((s) => s._dialog && s._dialog.id).filter(Boolean));
  for (const d of carolIds) assert.ok(!repl.includes(d.call_id) && !repl.includes(d.local_tag), "carol's dialog reached the PBX");
  // the PBX (another sipp, from 127.0.0.1) calls the gateway as told
  const referee = sipp('replaces-out', E.PBX2_PORT, ['-sf', scen('uac_replaces.xml'), '-m', '1', '-d', '5000',
    '-rtp_echo', '-mi', '127.0.0.1', '-mp', E.PBX2_MEDIA_PORT, '-key', 'ruri', rt[1], '-key', 'replaces', repl,
    `127.0.0.1:${E.SIP_PORT}`]);
  await waitEvent(carol, 'replacing', 15000);
  await waitEvent(carol, 'ended', 10000); // carol's call with alice, replaced
  await hears(carol, 'carol (the PBX, rtp_echo)');
  assert.equal(await referee.done, 0, `the PBX's INVITE with Replaces failed: ${referee.err()}`);
  await waitEvent(carol, 'ended', 10000, 1); // the PBX hung up
  const n = await waitEvent(alice, 'notify', 15000);
  assert.equal(n.status, 'accepted', 'NOTIFY 200 from the PBX relayed to alice');
  assert.equal(await pbx.done, 0, `sipp (transferee PBX) failed: ${pbx.err()}`);
  const ended = await alice.evaluate(() => window.sc.events('ended'));
  assert.equal(ended.length, 2, `alice's two calls ended: ${JSON.stringify(ended)}`);
});

// A late offer from a PBX on an srtp or webrtc connection: the browser gets
// the gateway's WebRTC offer; the PBX's 200 carries an offer of its own
// kind (the sipp scenario checks it) and its ACK the answer, which the
// gateway takes: the call stays up until the PBX hangs up.
for (const [kind, page, ext, ip, port] of [
  ['srtp', dave, '204', '127.0.0.4', E.PBX3_PORT],
  ['webrtc', erin, '205', '127.0.0.5', E.PBX4_PORT]]) {
  await test(`late offer toward a ${kind} connection: the 200 carries a ${kind} offer, the ACK's answer is taken, the call stays up`, async () => {
    await clear(page);
    const pbx = sipp(`late-${kind}`, port, ['-sf', scen(`uac_late_${kind}.xml`), '-m', '1', '-s', ext,
      '-d', '4000', '-mi', ip, '-mp', E.PBX_MEDIA_PORT, `127.0.0.1:${E.SIP_PORT}`], ip);
    const inc = await waitEvent(page, 'incoming');
    assert.match(inc.sdp, /UDP\/TLS\/RTP\/SAVPF/, 'the browser got a WebRTC offer');
    await page.evaluate(() => window.sc.answer());
    await waitEvent(page, 'confirmed');
    await sleep(1500);
    const early = await page.evaluate(() => window.sc.events('ended'));
    assert.equal(early.length, 0, 'the call ended right after the ACK');
    await waitEvent(page, 'ended', 15000); // the PBX hangs up
    assert.equal(await pbx.done, 0, `sipp late offer (${kind}) failed: ${pbx.err()}`);
    const ok = messages(pbx.trace).find((m) => /SIP\/2\.0 200 /.test(m) && /^CSeq:\s*1 INVITE/mi.test(m));
    assert.ok(ok, 'the 200 is in the trace');
    if (kind === 'srtp') assert.ok(!/fingerprint|ice-ufrag/.test(ok), 'WebRTC attributes toward an srtp PBX');
    else assert.ok(!/a=crypto/.test(ok), 'SDES toward a webrtc PBX');
  });
}

clearTimeout(watchdog);
await cleanup();
console.log(`${passed} transfer tests passed`);
