// calls.mjs: calls with the web softphone through the real gateway (run by
// phones.sh): alice has two tabs of one device, bob another browser; sipp
// plays the PBX. What is checked is what a person sees and hears: the call
// screen, the timer, the received sound level (the app's meter on the
// remote stream; every tab plays a steady tone into its microphone), the
// incoming screen in both tabs, and the history.
import assert from 'node:assert/strict';
import {
  env, base, sleep, Gateway, browserLaunch, watch, regState, runner, provision, level, idle, ringing,
  sipp, killSipps,
} from './lib.mjs';

const LINKS = JSON.parse(process.env.WEB_LINKS);
const E = process.env;
const LEVEL_MIN = 20; // the meter is 0..100 for -60..0 dBFS: 20 is -48 dBFS
const gw = new Gateway();
let browser = null;
let ctxA = null;
let ctxB = null;
let failedCtx = null;
const { test, end } = runner(() => failedCtx);

async function tab(ctx, name) {
  const p = watch(await ctx.newPage(), name);
  await p.goto(base + '/');
  await regState(p, 'registered');
  return p;
}

const inCall = (p, ms = 15000) =>
  p.waitForFunction(() => /^In call/.test(document.getElementById('call-state').textContent), null, { timeout: ms });

try {
  await gw.start();
  browser = await browserLaunch();
  ctxA = await browser.newContext({ ignoreHTTPSErrors: true });
  ctxB = await browser.newContext({ ignoreHTTPSErrors: true });
  failedCtx = ctxA;
  const a1 = await provision(ctxA, LINKS.alice.url, 'alice-tab1');
  const a2 = await tab(ctxA, 'alice-tab2');
  const b = await provision(ctxB, LINKS.bob.url, 'bob');

  // The first call tells a refused offer apart from other failures:
  // 488 ("Incompatible SDP") means the media relay refused the browser's
  // DTLS-SRTP offer, which fails the test with that reason.
  await a1.fill('#number', '*43');
  await a1.click('#call');
  const first = await Promise.race([
    inCall(a1).then(() => 'in call'),
    a1.waitForFunction(() => /failed/.test(document.getElementById('last-call').textContent),
      null, { timeout: 15000 }).then(() => a1.textContent('#last-call')),
  ]);
  if (/Incompatible SDP|Not Acceptable/.test(first))
    throw new Error(`the gateway refused the browser's DTLS-SRTP offer (${first})`);
  if (first === 'in call') {
    await a1.click('#hangup');
    await idle(a1);
  }

  await test('*43: the echo comes back above silence; DTMF, hold, resume, mute; hang up; history', async () => {
    failedCtx = ctxA;
    await a1.fill('#number', '*43');
    await a1.click('#call');
    await a1.waitForSelector('#incall', { state: 'visible' });
    await inCall(a1);
    const lv = await level(a1, 'rx-meter');
    assert.ok(lv > LEVEL_MIN, `received level ${lv}`);
    await a1.click('#keys');
    await a1.click('#dtmf [data-key="5"]');
    await a1.waitForFunction(() => /sent 5/.test(document.getElementById('call-state').textContent));
    await a1.click('#hold');
    await a1.waitForFunction(() => document.getElementById('call-state').textContent === 'On hold');
    assert.equal(await a1.getAttribute('#hold', 'aria-pressed'), 'true');
    await a1.click('#hold');
    await inCall(a1);
    await a1.click('#mute');
    await a1.waitForFunction(() => document.getElementById('mute').getAttribute('aria-pressed') === 'true');
    await a1.click('#mute');
    await a1.waitForFunction(() => document.getElementById('mute').getAttribute('aria-pressed') === 'false');
    const timer = await a1.textContent('#call-timer');
    assert.match(timer, /^0:0[1-9]|^0:[1-5]\d/, `timer ${timer}`);
    await a1.click('#hangup');
    await idle(a1);
    await a1.waitForFunction(() => /\*43.*answered/.test(document.getElementById('history-list').textContent));
    assert.deepEqual(a1.sc.csp, [], 'CSP violations');
  });

  await test('bob calls alice (201): both of her tabs ring; tab 2 answers, tab 1 stops; audio both ways; bob hangs up', async () => {
    failedCtx = ctxA;
    await b.fill('#number', '201');
    await b.click('#call');
    await ringing(a1);
    await ringing(a2);
    assert.match(await a1.textContent('#incoming-from'), /Bob Example/);
    await a2.click('#answer');
    await a1.waitForSelector('#incoming', { state: 'hidden', timeout: 3000 });
    await inCall(a2);
    await inCall(b);
    const [la, lb] = await Promise.all([level(a2, 'rx-meter'), level(b, 'rx-meter')]);
    assert.ok(la > LEVEL_MIN && lb > LEVEL_MIN, `levels alice ${la} bob ${lb}`);
    assert.equal(await a1.isVisible('#incall'), false);
    await b.click('#hangup');
    await idle(a2);
    await idle(b);
  });

  await test('alice declines: bob hears that the call was declined; both tabs stop ringing', async () => {
    await b.fill('#number', '201');
    await b.click('#call');
    await ringing(a1);
    await ringing(a2);
    await a1.click('#decline');
    await idle(b);
    await a2.waitForSelector('#incoming', { state: 'hidden', timeout: 5000 });
    await b.waitForFunction(() => /Rejected|Busy|Decline|failed/i.test(document.getElementById('last-call').textContent));
    await a1.waitForFunction(() => /declined/.test(document.getElementById('history-list').textContent));
  });

  await test('incoming from the PBX (sipp): both tabs ring, answer, audio both ways, the PBX hangs up', async () => {
    failedCtx = ctxA;
    const pbx = sipp('uac', ['-sn', 'uac', '-s', '201', '-rtp_echo', '-mi', '127.0.0.1',
      '-mp', E.WEB_PBX_MEDIA_PORT, '-d', '8000', `127.0.0.1:${E.WEB_SIP_PORT}`]);
    await ringing(a1);
    await ringing(a2);
    await a1.click('#answer');
    await inCall(a1);
    await a2.waitForSelector('#incoming', { state: 'hidden', timeout: 5000 });
    const lv = await level(a1, 'rx-meter', 3000);
    assert.ok(lv > LEVEL_MIN, `received level ${lv} (sipp echoes the tab's tone: both ways)`);
    await idle(a1, 20000); // the PBX hangs up
    assert.equal(await pbx.done, 0, `sipp uac: ${pbx.err()}`);
    await a1.waitForFunction(() => /answered/.test(document.getElementById('last-call').textContent) ||
      /\d:\d\d/.test(document.getElementById('last-call').textContent));
  });
} catch (e) {
  console.log(`not ok - setup: ${(e && e.stack) || e}`);
  process.exitCode = 1;
} finally {
  killSipps();
  if (browser) await browser.close().catch(() => {});
  await gw.stop();
}
process.exitCode = end() || process.exitCode || 0;
