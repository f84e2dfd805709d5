// browser_media.mjs PEER MODE OUTDIR: headless Chromium with a fake
// microphone playing OUTDIR/tone.wav makes a WebRTC offer; media_peer (the
// engine plus a plain RTP peer that echoes) answers; the page must receive
// audio back (getStats: packets and an audio level above silence) and
// media_peer must hear the tone as G.711. MODE pcmu munges the offer to
// PCMU only (pass-through); MODE opus keeps Chromium's Opus-first offer
// and the engine transcodes Opus <-> PCMU.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

const [peerBin, mode, out] = process.argv.slice(2);
const require = createRequire(process.env.NODE_PATH + '/');
const { chromium } = require('playwright-core');
const SECONDS = 12;
const logs = [];

function fail(msg) {
  throw new Error(msg);
}

// Keeps the audio m= section to PCMU (and telephone-event) only.
function pcmuOnly(sdp) {
  const lines = sdp.split('\r\n');
  let inAudio = false;
  const keep = new Set();
  for (const l of lines) {
    if (l.startsWith('m=')) inAudio = l.startsWith('m=audio');
    const m = inAudio && l.match(/^a=rtpmap:(\d+) (PCMU|telephone-event)\/8000/);
    if (m) keep.add(m[1]);
  }
  inAudio = false;
  return lines
    .filter((l) => {
      if (l.startsWith('m=')) inAudio = l.startsWith('m=audio');
      if (!inAudio) return true;
      const pt = l.match(/^a=(?:rtpmap|fmtp|rtcp-fb):(\d+)/);
      return !pt || keep.has(pt[1]);
    })
    .map((l) => {
      if (!l.startsWith('m=audio')) return l;
      const f = l.split(' ');
      return [...f.slice(0, 3), ...f.slice(3).filter((pt) => keep.has(pt))].join(' ');
    })
    .join('\r\n');
}

async function main() {
  const peer = spawn(peerBin, [mode, String(SECONDS)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: peer.stdout });
  const it = lines[Symbol.asyncIterator]();
  const exited = new Promise((res) => peer.on('exit', (code) => res(code)));

  const ctx = await chromium.launchPersistentContext(path.join(out, 'profile'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${path.join(out, 'tone.wav')}`,
      '--allow-loopback-in-peer-connection',
      '--autoplay-policy=no-user-gesture-required',
      '--disable-features=WebRtcHideLocalIpsWithMdns',
    ],
  });
  const page = ctx.pages()[0] || (await ctx.newPage());
  page.on('console', (m) => logs.push(`[console.${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => logs.push(`[pageerror] ${e.message}`));
  try {
    // A file: page is a secure context (getUserMedia needs one).
    const html = path.join(out, 'page.html');
    writeFileSync(html, '<!doctype html><title>media</title><body>media test</body>');
    await page.goto('file://' + html);
    let offer = await page.evaluate(async () => {
      // No audio processing: noise suppression would eat a steady tone.
      const stream = await navigator.mediaDevices.getUserMedia({
        audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
      });
      const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
      window.pc = pc;
      // Play what comes back: Chromium measures audioLevel on playout.
      pc.ontrack = (ev) => {
        const el = document.createElement('audio');
        el.autoplay = true;
        el.srcObject = ev.streams[0] || new MediaStream([ev.track]);
        document.body.appendChild(el);
        el.play().catch((e) => console.log('play: ' + e));
      };
      stream.getTracks().forEach((t) => pc.addTrack(t, stream));
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      await new Promise((res) => {
        if (pc.iceGatheringState === 'complete') return res();
        pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && res();
        setTimeout(res, 3000);
      });
      return pc.localDescription.sdp;
    });
    if (mode === 'pcmu') {
      offer = pcmuOnly(offer);
      await page.evaluate(async (sdp) => {
        await window.pc.setLocalDescription({ type: 'offer', sdp });
      }, offer).catch(() => {});
    }
    writeFileSync(path.join(out, 'offer.sdp'), offer);
    peer.stdin.end(offer);
    const first = await it.next();
    if (first.done) fail('media_peer gave no answer');
    const answer = JSON.parse(first.value).answer;
    writeFileSync(path.join(out, 'answer.sdp'), answer);
    await page.evaluate(async (sdp) => {
      await window.pc.setRemoteDescription({ type: 'answer', sdp });
    }, answer);
    // Let media flow both ways, then read the browser's view.
    await page.waitForTimeout((SECONDS - 3) * 1000);
    const stats = await page.evaluate(async () => {
      const r = { ice: window.pc.iceConnectionState, conn: window.pc.connectionState };
      (await window.pc.getStats()).forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'audio') {
          r.packetsReceived = s.packetsReceived;
          r.audioLevel = s.audioLevel;
          r.totalAudioEnergy = s.totalAudioEnergy;
          r.codecId = s.codecId;
        }
        if (s.type === 'outbound-rtp' && s.kind === 'audio') r.packetsSent = s.packetsSent;
        if (s.type === 'codec') r['codec_' + s.id] = s.mimeType;
      });
      return r;
    });
    const second = await it.next();
    if (second.done) fail('media_peer gave no result');
    const res = JSON.parse(second.value);
    const code = await exited;
    const report = { mode, browser: stats, peer: res, exit: code };
    console.log(JSON.stringify(report));
    writeFileSync(path.join(out, 'report.json'), JSON.stringify(report, null, 2));
    if (code !== 0) fail(`media_peer exited ${code}`);
    if (!(stats.packetsReceived > 0)) fail('browser received no RTP');
    if (!(stats.audioLevel > 0.01)) fail(`browser audio level ${stats.audioLevel} is silence`);
    if (!(res.packets > 0) || res.pt !== 0) fail('no PCMU reached the RTP peer');
    if (!(res.tone > 0.01 && res.ratio > 50)) fail(`tone not heard: ${second.value}`);
    if ((mode === 'opus') !== res.transcoding) fail(`transcoding ${res.transcoding} in mode ${mode}`);
    // Transcoded to G.711, our answer says maxplaybackrate=8000 (RFC 7587
    // 6.1): Chromium must then code narrowband (SILK NB) for us.
    if (mode === 'opus') {
      if (!/maxplaybackrate=8000/.test(answer)) fail('answer without maxplaybackrate=8000');
      if (!(res.a_opus_nb > 0.9 * res.a_rx)) fail(`Chromium sent ${res.a_opus_nb} of ${res.a_rx} packets narrowband`);
    }
  } catch (e) {
    await page.screenshot({ path: path.join(out, 'failure.png') }).catch(() => {});
    writeFileSync(path.join(out, 'console.log'), logs.join('\n'));
    peer.kill();
    throw e;
  } finally {
    await ctx.close();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`FAIL: ${e.message} (logs in ${out})`);
    process.exit(1);
  },
);
