// flows.mjs: issue 5's further call flows with real peers (run by
// calls.mjs after its own, on the same gateway and browser): no answer,
// hold/resume and DTMF both ways with the PBX, upstream digest
// authentication right and wrong, a device that disappears mid-call, and a
// SIP.js device in Node, and a PBX over UDP that loses our 200s. The media they produce is checked afterwards in
// the capture (topology.mjs).
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import fs from 'node:fs';
import WebSocketImpl from 'ws';
import { UserAgent, Inviter, SessionState } from 'sip.js';
import {
  E, WORK, DEV, DOMAIN, WS, GW_SIP, sleep, scenario, tab, waitEvent, clearLog, sipp,
  test, closedFrames, retry,
} from './harness.mjs';

const SILENCE = 0.01;

// uas_auth.xml with the trunk's login, for sipp's verifyauth; or as a
// proxy's 407 (RFC 3261 §22.3), which verifyauth cannot check: then any
// Proxy-Authorization with the trunk user and a response is taken
function authScenario(proxy = false) {
  const file = `${WORK}/uas_auth${proxy ? '407' : ''}.xml`;
  let x = fs.readFileSync(scenario('uas_auth'), 'utf8');
  if (proxy) {
    x = x.replaceAll('401 Unauthorized', '407 Proxy Authentication Required')
      .replaceAll('WWW-Authenticate:', 'Proxy-Authenticate:')
      .replaceAll('header="Authorization:"', 'header="Proxy-Authorization:"')
      .replace(/<verifyauth [^>]*>/, '<ereg regexp="response=&quot;[0-9a-f]{32}&quot;" search_in="hdr" header="Proxy-Authorization:" assign_to="good" />');
  }
  fs.writeFileSync(file, x.replaceAll('TRUNK_USER', E.TRUNK_USER)
    .replaceAll('TRUNK_PASSWORD', E.TRUNK_PASSWORD));
  return file;
}

// ---- SIP.js in Node: a WebSocket that trusts the test certificate, comes
// from the page's origin (the gateway's allowed_origins), keeps every frame, and a session description handler with a fixed
// WebRTC-shaped offer (no media stack in Node; the call needs none)
export const sipjsFrames = [];
export class RecordingWebSocket extends WebSocketImpl {
  constructor(u, protocols) {
    super(u, protocols, { rejectUnauthorized: false, origin: `http://127.0.0.1:${E.PAGE_PORT}` });
    this.on('message', (d) => sipjsFrames.push({ dir: 'in', data: String(d) }));
  }

  send(d, ...rest) {
    sipjsFrames.push({ dir: 'out', data: String(d) });
    super.send(d, ...rest);
  }
}

const FP = Array.from({ length: 32 }, (_, i) => ((i * 37 + 11) & 255).toString(16).padStart(2, '0').toUpperCase()).join(':');
const OFFER = ['v=0', 'o=- 7303116520497 2 IN IP4 127.0.0.1', 's=-', 't=0 0',
  'a=group:BUNDLE 0', 'a=msid-semantic: WMS sjsStream', 'm=audio 40999 UDP/TLS/RTP/SAVPF 111 0 126',
  'c=IN IP4 127.0.0.1', 'a=rtcp:9 IN IP4 0.0.0.0',
  'a=candidate:3920 1 udp 2122260223 127.0.0.1 40999 typ host generation 0',
  'a=ice-ufrag:sjsUfragQ', 'a=ice-pwd:sjsIcePasswordQ7x9Lk2mN4pB', 'a=ice-options:trickle',
  `a=fingerprint:sha-256 ${FP}`, 'a=setup:actpass', 'a=mid:0', 'a=sendrecv', 'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2', 'a=fmtp:111 minptime=10;useinbandfec=1', 'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:126 telephone-event/8000', 'a=ssrc:1298475625 cname:sjsCnameW3kq', ''].join('\r\n');

export class FixedSdh {
  constructor() { this.remote = null; }

  close() {}

  getDescription() { return Promise.resolve({ body: OFFER, contentType: 'application/sdp' }); }

  hasDescription(ctype) { return ctype === 'application/sdp'; }

  setDescription(sdp) { this.remote = sdp; return Promise.resolve(); }

  sendDtmf() { return false; }

  rollbackDescription() { return Promise.resolve(); }
}

// A SIP.js device d ({ user, password }) in Node calls number through the
// gateway; resolves once the call is established (10 s at most).
export async function sipjsCall(d, number) {
  const ua = new UserAgent({
    uri: UserAgent.makeURI(`sip:${d.user}@${DOMAIN}`),
    transportOptions: { server: WS },
    authorizationUsername: d.user,
    authorizationPassword: d.password,
    logBuiltinEnabled: false,
    sessionDescriptionHandlerFactory: () => new FixedSdh(),
  });
  await ua.start();
  const inv = new Inviter(ua, UserAgent.makeURI(`sip:${number}@${DOMAIN}`));
  const established = new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`SIP.js call state ${inv.state}`)), 10000);
    inv.stateChange.addListener((st) => {
      if (st === SessionState.Established) { clearTimeout(t); resolve(); }
      if (st === SessionState.Terminated) { clearTimeout(t); reject(new Error('SIP.js call failed')); }
    });
  });
  await inv.invite();
  await established;
  return { ua, inv };
}

export async function flows({ alice1, alice2 }) {
  await test('no answer: the PBX rings, then gives up with 480; the caller gets 480', async () => {
    await clearLog(alice1);
    const pbx = sipp('noanswer', ['-sf', scenario('uas_noanswer')]);
    await sleep(300);
    await alice1.evaluate(() => window.sc.call('sip:2010@sipcloak.test'));
    const p = await waitEvent(alice1, 'progress');
    assert.equal(p.status, 180);
    const f = await waitEvent(alice1, 'failed');
    assert.equal(f.status, 480);
    assert.ok(f.t - p.t >= 1500, `failed ${f.t - p.t} ms after ringing`);
    assert.equal(await pbx.done, 0, `sipp noanswer failed: ${pbx.err()}`);
  });

  await test('hold and DTMF with the PBX: device hold/resume, PBX hold/resume, INFO and RFC 4733 both ways', async () => {
    await clearLog(alice1);
    const pbx = sipp('midcall', ['-sf', scenario('uas_midcall'), '-rtp_echo']);
    await sleep(300);
    await alice1.evaluate(() => window.sc.call('sip:2011@sipcloak.test'));
    await waitEvent(alice1, 'confirmed');
    // the device holds and resumes: sipp checks sendonly / sendrecv and
    // the gateway's media address in both re-INVITEs
    await retry(alice1, () => window.sc.hold());
    await waitEvent(alice1, 'hold');
    await retry(alice1, () => window.sc.unhold());
    await waitEvent(alice1, 'unhold');
    // the PBX holds and resumes the device
    await clearLog(alice1);
    const h = await waitEvent(alice1, 'hold', 15000);
    assert.equal(h.originator, 'remote');
    const u = await waitEvent(alice1, 'unhold', 10000);
    assert.equal(u.originator, 'remote');
    // DTMF from the PBX as INFO reaches the page as a key
    const d = await waitEvent(alice1, 'dtmf', 10000);
    assert.equal(d.tone, '3');
    assert.equal(d.originator, 'remote');
    // audio again after the PBX's resume; meanwhile the PBX plays key 1 as
    // RFC 4733 (counted in the capture toward the browser)
    const a = await alice1.evaluate(() => window.sc.audio(2500));
    assert.ok(a.level > SILENCE, `audio after the PBX resumed: ${JSON.stringify(a)}`);
    // the device's INFO toward a PBX that negotiated telephone-event
    // becomes RFC 4733 there (counted in the capture toward the PBX)
    await alice1.evaluate(() => window.sc.info('application/dtmf-relay', 'Signal=8\r\nDuration=160\r\n'));
    await sleep(1000);
    await alice1.evaluate(() => window.sc.hangup());
    assert.equal(await pbx.done, 0, `sipp midcall failed: ${pbx.err()}`);
  });

  await test('upstream auth: the PBX challenges with 401 (and 407), the gateway retries with the trunk login', async () => {
    await clearLog(alice1);
    const pbx = sipp('auth', ['-sf', authScenario(), '-rtp_echo']);
    await sleep(300);
    await alice1.evaluate(() => window.sc.call('sip:2012@sipcloak.test'));
    await waitEvent(alice1, 'confirmed');
    await alice1.evaluate(() => window.sc.hangup());
    assert.equal(await pbx.done, 0, `sipp auth (right password) failed: ${pbx.err()}`);
    const trace = fs.readFileSync(pbx.trace, 'utf8');
    assert.match(trace, new RegExp(`Authorization: Digest [^\\n]*username="${E.TRUNK_USER}"`));
    assert.ok(!trace.includes(E.TRUNK_PASSWORD), 'the trunk password itself went to the PBX');
    // the same as a proxy's 407: answered in Proxy-Authorization
    await clearLog(alice1);
    const proxy = sipp('auth407', ['-sf', authScenario(true), '-rtp_echo']);
    await sleep(300);
    await alice1.evaluate(() => window.sc.call('sip:2015@sipcloak.test'));
    await waitEvent(alice1, 'confirmed');
    await alice1.evaluate(() => window.sc.hangup());
    assert.equal(await proxy.done, 0, `sipp auth (407) failed: ${proxy.err()}`);
    assert.match(fs.readFileSync(proxy.trace, 'utf8'),
      new RegExp(`Proxy-Authorization: Digest [^\\n]*username="${E.TRUNK_USER}"`));
  });

  await test('upstream auth failure: a wrong trunk password gets a second 401, the caller 403', async () => {
    await clearLog(alice1);
    const pbx = sipp('badauth', ['-sf', authScenario()]);
    await sleep(300);
    await alice1.evaluate(() => window.sc.call('sip:7012@sipcloak.test'));
    const f = await waitEvent(alice1, 'failed');
    assert.equal(f.status, 403);
    assert.equal(await pbx.done, 0, `sipp auth (wrong password) failed: ${pbx.err()}`);
  });

  await test('device gone mid-call: the tab closes, the PBX gets BYE after the grace period', async () => {
    const tab3 = await tab('alice3');
    const pbx = sipp('grace', ['-sf', scenario('uas_grace'), '-rtp_echo']);
    await sleep(300);
    await tab3.evaluate(() => window.sc.call('sip:2013@sipcloak.test'));
    await waitEvent(tab3, 'confirmed');
    await sleep(500);
    closedFrames.alice3 = await tab3.evaluate(() => window.sc.frames());
    const t0 = Date.now();
    await tab3.context().close(); // the WebSocket goes without a BYE
    assert.equal(await pbx.done, 0, `sipp grace failed: ${pbx.err()}`);
    const ms = Date.now() - t0;
    assert.ok(ms >= 4500 && ms < 9000, `BYE ${ms} ms after the tab closed (grace 5 s)`);
  });

  await test('SIP.js device in Node: INVITE with a WebRTC offer, 200, ACK, BYE', async () => {
    globalThis.WebSocket = RecordingWebSocket;
    const pbx = sipp('sipjs', ['-sn', 'uas', '-rtp_echo']);
    await sleep(300);
    const { ua, inv } = await sipjsCall(DEV.carol, '2014');
    const answer = inv.sessionDescriptionHandler.remote;
    assert.match(answer, /UDP\/TLS\/RTP\/SAVPF/, 'the device got a WebRTC answer');
    assert.match(answer, /a=fingerprint:/);
    await sleep(500);
    await inv.bye();
    assert.equal(await pbx.done, 0, `sipp uas failed: ${pbx.err()}`);
    await ua.stop();
    closedFrames.sipjs = sipjsFrames;
    const ok = sipjsFrames.find((f) => f.dir === 'in' && /^SIP\/2\.0 200 /.test(f.data)
      && /^CSeq:\s*\d+ INVITE/im.test(f.data));
    const cseq = ok.data.match(/^CSeq:\s*(\d+)/im)[1];
    assert.ok(sipjsFrames.some((f) => f.dir === 'out' && f.data.startsWith('ACK ')
      && new RegExp(`^CSeq:\\s*${cseq} ACK`, 'im').test(f.data)), 'SIP.js ACKed the 200');
  });

  await test('PBX over UDP: our 200 is sent again until its ACK (RFC 3261 §13.3.1.4)', async () => {
    await clearLog(alice1, alice2);
    const sock = dgram.createSocket('udp4');
    await new Promise((r) => sock.bind(Number(E.PBX_PORT), E.PBX_IP, r));
    const oks = []; // the 200s to the INVITE, with their arrival times
    const byeOk = [];
    sock.on('message', (m) => {
      const t = m.toString();
      if (/^SIP\/2\.0 200 /.test(t) && /^CSeq:\s*1 INVITE/im.test(t)) oks.push({ at: Date.now(), t });
      if (/^SIP\/2\.0 200 /.test(t) && /^CSeq:\s*2 BYE/im.test(t)) byeOk.push(t);
    });
    const pbx = `${E.PBX_IP}:${E.PBX_PORT}`;
    const callid = `lossy-${Date.now()}@${E.PBX_IP}`;
    const from = `<sip:2099@${pbx}>;tag=lossy1`;
    const send = (lines, body = '') => sock.send(`${lines.join('\r\n')}\r\n`
      + `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, Number(E.SIP_PORT), E.GW_IP);
    const via = (b) => `Via: SIP/2.0/UDP ${pbx};branch=z9hG4bK-${b};rport`;
    const sdp = ['v=0', `o=pbx 1 1 IN IP4 ${E.PBX_IP}`, 's=-', `c=IN IP4 ${E.PBX_IP}`, 't=0 0',
      `m=audio ${E.PBX_MEDIA_PORT} RTP/AVP 0 101`, 'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:101 telephone-event/8000', 'a=sendrecv', ''].join('\r\n');
    try {
      send([`INVITE sip:201@${GW_SIP} SIP/2.0`, via('lossy-inv'), 'Max-Forwards: 70', `From: ${from}`,
        `To: <sip:201@${GW_SIP}>`, `Call-ID: ${callid}`, 'CSeq: 1 INVITE', `Contact: <sip:2099@${pbx}>`,
        'Content-Type: application/sdp'], sdp);
      await waitEvent(alice1, 'incoming');
      await alice1.evaluate(() => window.sc.answer());
      await waitEvent(alice1, 'confirmed');
      // lost twice: the gateway sends it again at T1 and after 2*T1 more
      for (let i = 0; i < 50 && oks.length < 3; i++) await sleep(100);
      assert.ok(oks.length >= 3, `${oks.length} 200s in 5 s without an ACK`);
      const gaps = [oks[1].at - oks[0].at, oks[2].at - oks[1].at];
      assert.ok(gaps[0] >= 350 && gaps[0] < 900, `first retransmission after ${gaps[0]} ms (T1 500)`);
      assert.ok(gaps[1] >= 800 && gaps[1] < 1500, `second after ${gaps[1]} ms (2*T1)`);
      assert.equal(oks[2].t, oks[0].t, 'the same 200, byte for byte');
      const tag = oks[0].t.match(/^To:.*;tag=([^;\s]+)/im)[1];
      const contact = oks[0].t.match(/^Contact:\s*<([^>]+)>/im)[1];
      const to = `To: <sip:201@${GW_SIP}>;tag=${tag}`;
      send([`ACK ${contact} SIP/2.0`, via('lossy-ack'), 'Max-Forwards: 70', `From: ${from}`, to,
        `Call-ID: ${callid}`, 'CSeq: 1 ACK']);
      const n = oks.length;
      await sleep(2600); // the next one would have come 2 s after the third
      assert.equal(oks.length, n, 'a 200 was sent again after its ACK');
      send([`BYE ${contact} SIP/2.0`, via('lossy-bye'), 'Max-Forwards: 70', `From: ${from}`, to,
        `Call-ID: ${callid}`, 'CSeq: 2 BYE']);
      await waitEvent(alice1, 'ended');
      for (let i = 0; i < 30 && !byeOk.length; i++) await sleep(100);
      assert.equal(byeOk.length, 1, 'the BYE was answered');
    } finally {
      sock.close();
    }
  });
}
