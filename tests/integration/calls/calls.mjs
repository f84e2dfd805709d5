// calls.mjs: calls through the real gateway between Debian's Chromium
// (JsSIP pages with a fake microphone playing a tone) and sipp acting as
// the PBX, with audio checked on the browser side (getStats). Run by
// calls.sh, which starts the gateway and passes ports and devices in the
// environment. Every sipp is started here, on 127.0.0.1, and killed at the
// end.
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium } from 'playwright-core';

const E = process.env;
const WORK = E.WORK;
const DEV = JSON.parse(E.CALL_DEVICES); // { alice1: {user, password}, ... }
const DOMAIN = 'sipcloak.test';
const WS = `wss://127.0.0.1:${E.HTTPS_PORT}/ws`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let passed = 0;
const children = [];

// ---- the page, served on loopback (a secure context for getUserMedia)
const bundle = fs.readFileSync(path.join(WORK, 'page.bundle.js'));
const html = fs.readFileSync(new URL('./page.html', import.meta.url));
const server = http.createServer((req, res) => {
  if (req.url === '/page.bundle.js') {
    res.writeHead(200, { 'content-type': 'text/javascript' });
    res.end(bundle);
  } else {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(html);
  }
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
  // playwright gives Chromium a fresh --user-data-dir of its own (a new
  // temporary profile per launch) and refuses one in args
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

async function waitEvent(page, what, ms = 10000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ev = await page.evaluate((w) => window.sc.events(w), what);
    if (ev.length) return ev[ev.length - 1];
    await sleep(100);
  }
  const all = await page.evaluate(() => window.sc.events());
  throw new Error(`${page.devName}: no '${what}' within ${ms} ms; events: ${JSON.stringify(all.map((e) => e.what))}`);
}

// sipp as the PBX; resolves with its exit code. Messages go to a trace
// file (topology check).
function sipp(name, args) {
  const trace = `${WORK}/sipp-${name}-msgs.log`;
  const p = spawn('sipp', ['-i', '127.0.0.1', '-p', E.PBX_PORT, '-m', '1',
    '-nostdin', '-trace_msg', '-message_file', trace, '-trace_err',
    '-error_file', `${WORK}/sipp-${name}-err.log`, ...args],
  { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(p);
  let err = '';
  p.stderr.on('data', (d) => { err += d; });
  p.done = new Promise((r) => p.on('exit', (code) => r(code)));
  p.trace = trace;
  p.err = () => err;
  return p;
}

async function test(name, fn) {
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

const SILENCE = 0.01; // getStats audioLevel is 0..1; the tone is well above

const alice1 = await tab('alice1');
const alice2 = await tab('alice2');
const bob = await tab('bob');

await test('echo *43: answered, the tone comes back, hang up', async () => {
  await alice1.evaluate(() => window.sc.call('*43'));
  await waitEvent(alice1, 'confirmed');
  const a = await alice1.evaluate(() => window.sc.audio(3000));
  assert.ok(a.packets > 50, `packets received ${a.packets}`);
  assert.ok(a.level > SILENCE, `audio level ${a.level}: ${JSON.stringify(a)}`);
  await alice1.evaluate(() => window.sc.hangup());
  await waitEvent(alice1, 'ended');
});

await test('outgoing to the PBX (sipp uas, rtp_echo): audio both ways, BYE reaches the PBX', async () => {
  const pbx = sipp('uas', ['-sn', 'uas', '-rtp_echo', '-mi', '127.0.0.1', '-mp', E.PBX_MEDIA_PORT]);
  await sleep(300);
  await alice1.evaluate(() => window.sc.log.splice(0));
  await alice1.evaluate(() => window.sc.call('sip:2000@sipcloak.test'));
  await waitEvent(alice1, 'confirmed');
  const a = await alice1.evaluate(() => window.sc.audio(3000));
  assert.ok(a.packets > 50, `packets received ${a.packets}`);
  assert.ok(a.level > SILENCE, `audio level ${a.level} (sipp echoes what the gateway sent it)`);
  await alice1.evaluate(() => window.sc.hangup());
  assert.equal(await pbx.done, 0, `sipp uas failed: ${pbx.err()}`);
  const trace = fs.readFileSync(pbx.trace, 'utf8');
  const sending = (await alice1.evaluate(() => window.sc.events('sending')))[0];
  // topology: nothing of the browser's side in what the PBX received
  const inv = sending.sdp;
  // (port 9 is the placeholder of TCP active candidates, and short
  // numbers occur everywhere: only real ports, as whole numbers)
  for (const m of inv.matchAll(/a=candidate:\S+ \d \S+ \d+ (\S+) (\d+)/g)) {
    if (Number(m[2]) < 1024) continue;
    assert.ok(!new RegExp(`[^0-9]${m[2]}[^0-9]`).test(trace), `browser candidate port ${m[2]} leaked to the PBX`);
  }
  const ufrag = inv.match(/a=ice-ufrag:(\S+)/)[1];
  assert.ok(!trace.includes(ufrag), 'browser ICE ufrag leaked to the PBX');
  const fp = inv.match(/a=fingerprint:\S+ (\S+)/)[1];
  assert.ok(!trace.includes(fp), 'browser fingerprint leaked to the PBX');
  assert.ok(!trace.includes('.invalid'), 'the browser\'s .invalid host leaked to the PBX');
  assert.ok(!/RTP\/SAVPF|a=ice-|a=fingerprint/.test(trace), 'WebRTC SDP reached the PBX');
  // and nothing of the PBX in what the browser got
  const acc = (await alice1.evaluate(() => window.sc.events('accepted')))[0];
  assert.ok(!acc.sdp.includes(`m=audio ${E.PBX_MEDIA_PORT} `), 'PBX media port leaked to the browser');
  assert.ok(!acc.sdp.includes('sipp'), 'PBX o= line leaked to the browser');
});

await test('incoming from the PBX rings both tabs of alice; answering one cancels the other', async () => {
  for (const p of [alice1, alice2]) await p.evaluate(() => window.sc.log.splice(0));
  const pbx = sipp('uac', ['-sn', 'uac', '-s', '201', '-rtp_echo', '-mi', '127.0.0.1',
    '-mp', E.PBX_MEDIA_PORT, '-d', '6000', `127.0.0.1:${E.SIP_PORT}`]);
  await waitEvent(alice1, 'incoming');
  await waitEvent(alice2, 'incoming');
  await alice1.evaluate(() => window.sc.answer());
  await waitEvent(alice1, 'confirmed');
  const f = await waitEvent(alice2, 'failed');
  assert.equal(f.originator, 'remote');
  const a = await alice1.evaluate(() => window.sc.audio(2500));
  assert.ok(a.packets > 50, `packets received ${a.packets}`);
  assert.ok(a.level > SILENCE, `audio level ${a.level}: ${JSON.stringify(a)}`);
  await waitEvent(alice1, 'ended', 10000); // the PBX hangs up
  assert.equal(await pbx.done, 0, `sipp uac failed: ${pbx.err()}`);
});

await test('busy: the PBX answers 486, the browser sees Busy', async () => {
  await alice1.evaluate(() => window.sc.log.splice(0));
  const pbx = sipp('busy', ['-sf', new URL('./sipp/uas_busy.xml', import.meta.url).pathname]);
  await sleep(300);
  await alice1.evaluate(() => window.sc.call('sip:2001@sipcloak.test'));
  const f = await waitEvent(alice1, 'failed');
  assert.equal(f.status, 486);
  assert.equal(await pbx.done, 0, `sipp busy failed: ${pbx.err()}`);
});

await test('cancel: the caller gives up while the PBX rings; the PBX gets CANCEL', async () => {
  await alice1.evaluate(() => window.sc.log.splice(0));
  const pbx = sipp('cancel', ['-sf', new URL('./sipp/uas_cancel.xml', import.meta.url).pathname]);
  await sleep(300);
  await alice1.evaluate(() => window.sc.call('sip:2002@sipcloak.test'));
  await waitEvent(alice1, 'progress');
  await alice1.evaluate(() => window.sc.hangup());
  await waitEvent(alice1, 'failed');
  assert.equal(await pbx.done, 0, `sipp cancel failed: ${pbx.err()}`);
});

await test('DTMF: a key sent as RFC 4733 reaches a PBX without telephone-event as SIP INFO', async () => {
  await alice1.evaluate(() => window.sc.log.splice(0));
  const pbx = sipp('dtmf', ['-sf', new URL('./sipp/uas_dtmf_info.xml', import.meta.url).pathname,
    '-rtp_echo', '-mi', '127.0.0.1', '-mp', E.PBX_MEDIA_PORT]);
  await sleep(300);
  await alice1.evaluate(() => window.sc.call('sip:2003@sipcloak.test'));
  await waitEvent(alice1, 'confirmed');
  await sleep(500);
  await alice1.evaluate(() => window.sc.dtmf('5', 'RFC2833'));
  await sleep(1500);
  await alice1.evaluate(() => window.sc.hangup());
  assert.equal(await pbx.done, 0, `sipp did not get INFO Signal=5: ${pbx.err()}`);
});

await test('blind transfer: REFER reaches the PBX with Refer-To in its terms, 202 comes back', async () => {
  await alice1.evaluate(() => window.sc.log.splice(0));
  const pbx = sipp('refer', ['-sf', new URL('./sipp/uas_refer.xml', import.meta.url).pathname,
    '-rtp_echo', '-mi', '127.0.0.1', '-mp', E.PBX_MEDIA_PORT]);
  await sleep(300);
  await alice1.evaluate(() => window.sc.call('sip:2004@sipcloak.test'));
  await waitEvent(alice1, 'confirmed');
  const r = await alice1.evaluate(() => window.sc.refer('sip:2050@sipcloak.test'));
  assert.equal(r, 'accepted');
  await alice1.evaluate(() => window.sc.hangup());
  assert.equal(await pbx.done, 0, `sipp did not get the rewritten REFER: ${pbx.err()}`);
  const trace = fs.readFileSync(pbx.trace, 'utf8');
  assert.ok(!/Refer-To:[^\n]*sipcloak\.test/i.test(trace), 'the device-side domain reached the PBX in Refer-To');
});

await test('PBX down: 503 to the caller', async () => {
  await alice1.evaluate(() => window.sc.log.splice(0));
  await alice1.evaluate(() => window.sc.call('sip:9123@sipcloak.test'));
  const f = await waitEvent(alice1, 'failed');
  assert.equal(f.status, 503);
});

await test('device to device: alice calls bob by name; audio both ways; hold, resume, DTMF by INFO; bob hangs up', async () => {
  for (const p of [alice1, bob]) await p.evaluate(() => window.sc.log.splice(0));
  await alice1.evaluate(() => window.sc.call('sip:bob@sipcloak.test'));
  const inc = await waitEvent(bob, 'incoming');
  assert.equal(inc.from, 'alice');
  assert.ok(!inc.sdp.includes((await alice1.evaluate(() => window.sc.events('sending')))[0].sdp.match(/a=ice-ufrag:(\S+)/)[1]),
    "alice's ICE ufrag reached bob");
  await bob.evaluate(() => window.sc.answer());
  await waitEvent(alice1, 'confirmed');
  const a = await alice1.evaluate(() => window.sc.audio(2500));
  const b = await bob.evaluate(() => window.sc.audio(2500));
  assert.ok(a.level > SILENCE && b.level > SILENCE, `levels alice ${a.level} bob ${b.level}`);
  // hold and resume: re-INVITEs through the media session (sendonly / recvonly)
  await alice1.evaluate(() => window.sc.hold());
  await waitEvent(alice1, 'hold');
  const h = await waitEvent(bob, 'hold', 20000);
  assert.equal(h.originator, 'remote');
  await alice1.evaluate(() => window.sc.unhold());
  await waitEvent(bob, 'unhold', 20000);
  const back = await bob.evaluate(() => window.sc.audio(2500));
  assert.ok(back.level > SILENCE, `bob hears alice again after resume: ${JSON.stringify(back)}`);
  // DTMF as SIP INFO crosses the B2BUA
  await alice1.evaluate(() => window.sc.dtmf('7', 'INFO'));
  const d = await waitEvent(bob, 'dtmf');
  assert.equal(d.tone, '7');
  assert.equal(d.originator, 'remote');
  await bob.evaluate(() => window.sc.hangup());
  await waitEvent(alice1, 'ended');
});

await test('MESSAGE: alice to bob through the gateway, and from the PBX to alice', async () => {
  for (const p of [alice1, alice2, bob]) await p.evaluate(() => window.sc.log.splice(0));
  await alice1.evaluate(() => window.sc.message('sip:bob@sipcloak.test', 'hello bob'));
  const m = await waitEvent(bob, 'message');
  assert.equal(m.body, 'hello bob');
  const pbx = sipp('message', ['-sf', new URL('./sipp/uac_message.xml', import.meta.url).pathname,
    '-s', '201', `127.0.0.1:${E.SIP_PORT}`]);
  const m2 = await waitEvent(alice2, 'message');
  assert.equal(m2.body.trim(), 'hello from the PBX');
  assert.equal(await pbx.done, 0, `sipp message failed: ${pbx.err()}`);
});

await cleanup();
console.log(`${passed} call tests passed`);
