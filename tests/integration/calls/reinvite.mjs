// reinvite.mjs: issue 5's re-INVITE edges through the real gateway (run by
// reinvite.sh): a JsSIP page in Chromium (alice) and sipp as the PBX on
// the trunk "pbx" (codecs pcmu, pcma): 491 glare and the gateway's §14.1
// retry, codec changes both ways with the payload type the gateway sends
// the PBX read from the capture, offer-less re-INVITEs from the PBX (with
// and without the answer in the ACK) and from a SIP.js device in Node, and
// last SIGTERM with a call up: BYE both ways, the gateway gone within the
// drain time (reinvite.sh checks its exit status).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { SessionState } from 'sip.js';
import {
  E, WORK, DEV, sleep, scenario, tab, waitEvent, clearLog, sipp,
  test as run, cleanup, retry,
} from './harness.mjs';
import { readPcap, rtpInfo } from './pcap.mjs';
import { RecordingWebSocket, sipjsCall, sipjsFrames } from './flows.mjs';

const SILENCE = 0.01;

// REINVITE_ONLY=<words> runs only the flows whose name contains them.
const test = (name, fn) => (!E.REINVITE_ONLY || name.includes(E.REINVITE_ONLY)
  ? run(name, fn) : undefined);
const PCAP = `${WORK}/pbx.pcap`;

async function hears(page, what) {
  const a = await page.evaluate(() => window.sc.audio(2500));
  assert.ok(a.packets > 50 && a.level > SILENCE, `${what}: ${JSON.stringify(a)}`);
  console.log(`# ${what}: level ${a.level.toFixed(3)}, ${a.packets} packets`);
}

// Resolves when sipp's message trace has `re` (sipp writes it as it goes).
async function traced(p, re, ms = 20000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (fs.existsSync(p.trace) && re.test(fs.readFileSync(p.trace, 'utf8'))) return;
    await sleep(100);
  }
  throw new Error(`sipp trace: no ${re} within ${ms} ms: ${p.err()}`);
}

// The audio payload types (telephone-event left out) of the RTP the gateway
// sent to the PBX's media port between t0 and t1 (epoch ms), by count.
function ptsToPbx(t0, t1) {
  const n = {};
  for (const p of readPcap(PCAP)) {
    if (p.proto !== 'udp' || p.dport !== Number(E.PBX_MEDIA_PORT) || p.t < t0 || p.t > t1) continue;
    const r = rtpInfo(p.payload);
    if (!r || r.rtcp || r.pt === 101) continue;
    n[r.pt] = (n[r.pt] || 0) + 1;
  }
  return n;
}

// When the SIP messages from (fromPbx) or to the PBX's port since t0 that
// match re were captured (epoch ms, in order).
function sipTimes(t0, fromPbx, re) {
  const port = Number(E.PBX_PORT);
  return readPcap(PCAP).filter((p) => p.proto === 'udp' && p.t >= t0
    && (fromPbx ? p.sport : p.dport) === port
    && re.test(p.payload.toString('latin1'))).map((p) => p.t);
}

// The same, once the capture has the last one (tcpdump may lag behind on
// a loaded machine).
async function sipTimesWhen(t0, fromPbx, re, last, ms = 8000) {
  const end = Date.now() + ms;
  for (;;) {
    const t = sipTimes(t0, fromPbx, re);
    if (sipTimes(t0, false, last).length || Date.now() > end) return t;
    await sleep(200);
  }
}

function onlyPt(n, pt, what) {
  const total = Object.values(n).reduce((a, b) => a + b, 0);
  assert.ok(total > 30, `${what}: ${total} RTP packets to the PBX ${JSON.stringify(n)}`);
  assert.equal(n[pt], total, `${what}: payload types to the PBX ${JSON.stringify(n)}`);
}

const alice = await tab('alice');

await test('491 glare: the PBX re-INVITEs while the device holds; both get 491, the gateway retries after 2.1-4 s, hold and resume succeed, audio after resume', async () => {
  await clearLog(alice);
  const pbx = sipp('glare', ['-sf', scenario('uas_glare'), '-rtp_echo']);
  await sleep(300);
  await alice.evaluate(() => window.sc.call('sip:2100@sipcloak.test'));
  await waitEvent(alice, 'confirmed');
  const t0 = Date.now();
  await retry(alice, () => window.sc.hold());
  const h = await waitEvent(alice, 'held', 12000);
  const ms = h.t - t0;
  // §14.1: the gateway chose the PBX leg's Call-ID: 2.1-4 s before again
  assert.ok(ms >= 2000 && ms < 8000, `hold succeeded ${ms} ms after the 491`);
  const log = fs.readFileSync(`${WORK}/gateway.log`, 'utf8');
  const m = log.match(/491 on leg \S+: the offer again in (\d+) ms/);
  assert.ok(m, 'the gateway logged its glare retry');
  assert.ok(Number(m[1]) >= 2100 && Number(m[1]) <= 4000, `retry wait ${m[1]} ms`);
  // the PBX's own offer goes again and through; then the device resumes
  await traced(pbx, /CSeq: 2 ACK/);
  await sleep(300);
  await retry(alice, () => window.sc.unhold());
  await waitEvent(alice, 'unheld', 10000);
  await hears(alice, 'audio after the resume');
  assert.deepEqual(await alice.evaluate(() => window.sc.events('ended')), [], 'the call survived');
  await alice.evaluate(() => window.sc.hangup());
  assert.equal(await pbx.done, 0, `sipp glare failed: ${pbx.err()}`);
  // the PBX's first re-INVITE got 491 from the gateway
  assert.match(fs.readFileSync(pbx.trace, 'utf8'), /SIP\/2\.0 491 Request Pending[\s\S]*CSeq: 1 INVITE/);
});

await test('codec change: the PBX re-INVITEs PCMU -> PCMA -> PCMU, the gateway follows (payload type in the capture), the device drops G.711 (transcoded): audio all along', async () => {
  const t0 = Date.now();
  await clearLog(alice);
  const pbx = sipp('codec', ['-sf', scenario('uas_codec'), '-rtp_echo']);
  await sleep(300);
  await alice.evaluate(() => window.sc.call('sip:2101@sipcloak.test'));
  await waitEvent(alice, 'confirmed');
  await hears(alice, 'audio with PCMU');
  await traced(pbx, /CSeq: 1 ACK/); // the PCMA offer answered and ACKed
  await sleep(300);
  await hears(alice, 'audio after the change to PCMA');
  await traced(pbx, /CSeq: 2 ACK/);
  await sleep(300);
  await hears(alice, 'audio after the change back to PCMU');
  // the device re-offers Opus only: the PBX gets G.711, transcoded
  const r = await alice.evaluate(() => window.sc.renegotiateWithout(['PCMU', 'PCMA']));
  assert.equal(r, 'ok', 'the re-offer without G.711 succeeded');
  const sent = await waitEvent(alice, 'reoffer');
  assert.ok(!/PCMU|PCMA/.test(sent.sdp) && /opus/.test(sent.sdp), 'the re-offer names Opus only');
  await sleep(500);
  await hears(alice, 'audio after the device dropped G.711');
  assert.equal(await alice.evaluate(() => window.sc.codec()), 'audio/opus');
  await sleep(2000);
  await alice.evaluate(() => window.sc.hangup());
  assert.equal(await pbx.done, 0, `sipp codec failed: ${pbx.err()}`);
  // the windows between the re-INVITEs, as the capture saw them (once it
  // has the BYE)
  const [toA, toU] = await sipTimesWhen(t0, true, /^INVITE [\s\S]*CSeq: [12] INVITE/, /^BYE /);
  const [reoffer] = sipTimes(t0, false, /^INVITE [\s\S]*m=audio/).filter((t) => t > toU);
  const [bye] = sipTimes(t0, false, /^BYE /);
  assert.ok(toA && toU && reoffer && bye, 'the re-INVITEs and the BYE in the capture');
  onlyPt(ptsToPbx(toA - 2000, toA - 50), 0, 'before the change');
  onlyPt(ptsToPbx(toA + 300, toU - 50), 8, 'after the change to PCMA');
  onlyPt(ptsToPbx(toU + 300, reoffer - 50), 0, 'after the change back to PCMU');
  onlyPt(ptsToPbx(reoffer + 300, bye - 50), 0, 'transcoded Opus -> PCMU');
});

await test('offer-less re-INVITE from the PBX: our 200 offers PCMU and PCMA with the same o= session, the ACK answers PCMA, the PBX gets PCMA, the device still hears', async () => {
  const t0 = Date.now();
  await clearLog(alice);
  const pbx = sipp('offerless', ['-sf', scenario('uas_offerless'), '-rtp_echo']);
  await sleep(300);
  await alice.evaluate(() => window.sc.call('sip:2102@sipcloak.test'));
  await waitEvent(alice, 'confirmed');
  await traced(pbx, /CSeq: 1 ACK/);
  await sleep(300);
  await hears(alice, 'audio after the PBX answered PCMA in its ACK');
  await alice.evaluate(() => window.sc.hangup());
  assert.equal(await pbx.done, 0, `sipp offerless failed: ${pbx.err()}`);
  const [inv] = await sipTimesWhen(t0, true, /^INVITE [\s\S]*CSeq: 1 INVITE/, /^BYE /);
  const [ackA] = sipTimes(t0, true, /^ACK [\s\S]*CSeq: 1 ACK/);
  const [bye] = sipTimes(t0, false, /^BYE /);
  assert.ok(inv && ackA && bye, 'the re-INVITE, its ACK and the BYE in the capture');
  onlyPt(ptsToPbx(inv - 2000, inv - 50), 0, 'before the offer-less re-INVITE');
  onlyPt(ptsToPbx(ackA + 300, bye - 50), 8, 'after the ACK answered PCMA');
  // RFC 3264 §8: the offer keeps our o= user, session id and address;
  // the version moves
  const msgs = fs.readFileSync(pbx.trace, 'utf8').split(/-{10,}/);
  const invite = msgs.find((x) => /^\s*INVITE sip:/m.test(x) && /m=audio/.test(x));
  const ok = msgs.find((x) => /SIP\/2\.0 200 OK/.test(x) && /CSeq: 1 INVITE/.test(x));
  const o1 = invite.match(/o=(\S+) (\d+) (\d+) IN IP4 (\S+)/);
  const o2 = ok.match(/o=(\S+) (\d+) (\d+) IN IP4 (\S+)/);
  assert.deepEqual([o2[1], o2[2], o2[4]], [o1[1], o1[2], o1[4]], `o= ${o1[0]} then ${o2[0]}`);
  assert.ok(Number(o2[3]) > Number(o1[3]), `o= version ${o1[3]} then ${o2[3]}`);
  assert.equal(invite.match(/m=audio (\d+)/)[1], ok.match(/m=audio (\d+)/)[1], 'the same media port');
});

await test('offer-less re-INVITE from the PBX, ACK without an answer: the call ends, BYE to the PBX and to the device', async () => {
  await clearLog(alice);
  const pbx = sipp('offerless-noanswer', ['-sf', scenario('uas_offerless_noanswer'), '-rtp_echo']);
  await sleep(300);
  await alice.evaluate(() => window.sc.call('sip:2103@sipcloak.test'));
  await waitEvent(alice, 'confirmed');
  const e = await waitEvent(alice, 'ended', 15000);
  assert.equal(e.originator, 'remote');
  assert.equal(await pbx.done, 0, `sipp offerless-noanswer failed: ${pbx.err()}`);
  assert.match(fs.readFileSync(`${WORK}/gateway.log`, 'utf8'), /no usable answer in the ACK/);
});

await test('offer-less re-INVITE from a SIP.js device: the gateway offers in its 200 (WebRTC, our ICE and fingerprint), SIP.js answers in its ACK, the call goes on', async () => {
  globalThis.WebSocket = RecordingWebSocket;
  sipjsFrames.splice(0);
  const pbx = sipp('sipjs-offerless', ['-sn', 'uas', '-rtp_echo']);
  await sleep(300);
  const { ua, inv } = await sipjsCall(DEV.carol, '2104');
  const first = inv.sessionDescriptionHandler.remote;
  const accepted = new Promise((resolve, reject) => {
    inv.invite({
      withoutSdp: true,
      requestDelegate: {
        onAccept: () => resolve(),
        onReject: (r) => reject(new Error(`re-INVITE refused ${r.message.statusCode}`)),
      },
    }).catch(reject);
  });
  await accepted;
  await sleep(500);
  const offer = inv.sessionDescriptionHandler.remote;
  assert.notEqual(offer, first, 'a new description came in the 200');
  assert.match(offer, /UDP\/TLS\/RTP\/SAVPF/);
  assert.equal(offer.match(/a=ice-ufrag:(\S+)/)[1], first.match(/a=ice-ufrag:(\S+)/)[1], 'no ICE restart');
  assert.equal(offer.match(/a=fingerprint:(.+)/)[1], first.match(/a=fingerprint:(.+)/)[1]);
  assert.equal(offer.match(/m=audio (\d+)/)[1], first.match(/m=audio (\d+)/)[1], 'the same port');
  // the ACK of that 200 carried SIP.js's answer
  const ok = sipjsFrames.filter((f) => f.dir === 'in' && /^SIP\/2\.0 200 /.test(f.data)
    && /^CSeq:\s*\d+ INVITE/im.test(f.data)).pop();
  const cseq = ok.data.match(/^CSeq:\s*(\d+)/im)[1];
  const ack = sipjsFrames.find((f) => f.dir === 'out' && f.data.startsWith('ACK ')
    && new RegExp(`^CSeq:\\s*${cseq} ACK`, 'im').test(f.data));
  assert.ok(ack && /m=audio/.test(ack.data), 'SIP.js answered in its ACK');
  assert.equal(inv.state, SessionState.Established, 'the call goes on');
  await sleep(500);
  assert.equal(inv.state, SessionState.Established, 'the call goes on after the ACK');
  await inv.bye();
  assert.equal(await pbx.done, 0, `sipp uas failed: ${pbx.err()}`);
  await ua.stop();
});

await test('shutdown with a call up: SIGTERM, the PBX gets BYE and answers 200, the device gets BYE, the gateway exits within the drain time', async () => {
  await clearLog(alice);
  // uas_grace: answer, then wait for a BYE and answer it
  const pbx = sipp('shutdown', ['-sf', scenario('uas_grace'), '-rtp_echo']);
  await sleep(300);
  await alice.evaluate(() => window.sc.call('sip:2105@sipcloak.test'));
  await waitEvent(alice, 'confirmed');
  await hears(alice, 'audio before the shutdown');
  const t0 = Date.now();
  process.kill(Number(E.GATEWAY_PID), 'SIGTERM');
  const e = await waitEvent(alice, 'ended', 5000);
  assert.equal(e.originator, 'remote', 'the device got BYE');
  assert.equal(await pbx.done, 0, `the PBX did not get its BYE: ${pbx.err()}`);
  const trace = fs.readFileSync(pbx.trace, 'utf8');
  assert.match(trace, /BYE sip:[\s\S]*SIP\/2\.0 200 OK[\s\S]*CSeq: \d+ BYE/);
  // gone, or a zombie until reinvite.sh reaps it and checks its status
  const running = () => {
    try {
      return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${E.GATEWAY_PID}/stat`, 'utf8'));
    } catch { return false; }
  };
  let gone = false;
  while (Date.now() - t0 < 5000 && !gone) {
    gone = !running();
    if (!gone) await sleep(50);
  }
  assert.ok(gone, 'the gateway still runs 5 s after SIGTERM');
  const ms = Date.now() - t0;
  assert.ok(ms < 3500, `the gateway took ${ms} ms to stop (drain 3 s)`);
});

await cleanup();
