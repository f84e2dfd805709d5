// calls.mjs: calls through the real gateway between Debian's Chromium
// (JsSIP pages with a fake microphone playing a tone) and sipp acting as
// the PBX, with audio checked on the browser side (getStats). Run by
// calls.sh, which starts the gateway and a packet capture and passes ports
// and devices in the environment; issue 5's further flows are in flows.mjs,
// and topology.mjs checks the capture afterwards against what this run
// writes to $WORK/topology.json.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  E, WORK, GW_SIP, sleep, scenario, windows, tab, allFrames, waitEvent, sipp,
  test, cleanup, retry,
} from './harness.mjs';
import { flows } from './flows.mjs';

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
  const pbx = sipp('uas', ['-sn', 'uas', '-rtp_echo']);
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
  const pbx = sipp('uac', ['-sn', 'uac', '-s', '201', '-rtp_echo', '-d', '6000', GW_SIP]);
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
  const pbx = sipp('busy', ['-sf', scenario('uas_busy')]);
  await sleep(300);
  await alice1.evaluate(() => window.sc.call('sip:2001@sipcloak.test'));
  const f = await waitEvent(alice1, 'failed');
  assert.equal(f.status, 486);
  assert.equal(await pbx.done, 0, `sipp busy failed: ${pbx.err()}`);
});

await test('cancel: the caller gives up while the PBX rings; the PBX gets CANCEL', async () => {
  await alice1.evaluate(() => window.sc.log.splice(0));
  const pbx = sipp('cancel', ['-sf', scenario('uas_cancel')]);
  await sleep(300);
  await alice1.evaluate(() => window.sc.call('sip:2002@sipcloak.test'));
  await waitEvent(alice1, 'progress');
  await alice1.evaluate(() => window.sc.hangup());
  await waitEvent(alice1, 'failed');
  assert.equal(await pbx.done, 0, `sipp cancel failed: ${pbx.err()}`);
});

await test('DTMF toward a PBX without telephone-event: RFC 4733 becomes INFO, INFO stays INFO', async () => {
  await alice1.evaluate(() => window.sc.log.splice(0));
  const pbx = sipp('dtmf', ['-sf', scenario('uas_dtmf_info'),
    '-rtp_echo']);
  await sleep(300);
  await alice1.evaluate(() => window.sc.call('sip:2003@sipcloak.test'));
  await waitEvent(alice1, 'confirmed');
  await sleep(500);
  await alice1.evaluate(() => window.sc.dtmf('5', 'RFC2833'));
  await sleep(1500);
  await alice1.evaluate(() => window.sc.dtmf('8', 'INFO'));
  await sleep(500);
  await alice1.evaluate(() => window.sc.hangup());
  assert.equal(await pbx.done, 0, `sipp did not get INFO Signal=5, then Signal=8: ${pbx.err()}`);
});

await test('blind transfer: REFER reaches the PBX with Refer-To in its terms, 202 comes back', async () => {
  await alice1.evaluate(() => window.sc.log.splice(0));
  const pbx = sipp('refer', ['-sf', scenario('uas_refer'),
    '-rtp_echo']);
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
  await retry(alice1, () => window.sc.hold());
  await waitEvent(alice1, 'hold');
  const h = await waitEvent(bob, 'hold', 20000);
  assert.equal(h.originator, 'remote');
  await retry(alice1, () => window.sc.unhold());
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
  const pbx = sipp('message', ['-sf', scenario('uac_message'),
    '-s', '201', GW_SIP]);
  const m2 = await waitEvent(alice2, 'message');
  assert.equal(m2.body.trim(), 'hello from the PBX');
  assert.equal(await pbx.done, 0, `sipp message failed: ${pbx.err()}`);
});

await flows({ alice1, alice2, bob });

fs.writeFileSync(`${WORK}/topology.json`, JSON.stringify({ windows, frames: await allFrames() }));
const passed = await cleanup();
console.log(`${passed} call tests passed`);
