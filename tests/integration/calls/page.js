// page.js: the in-browser side of the call tests: a JsSIP user agent that
// the test script drives through window.sc (bundled by esbuild with JsSIP;
// runs in Debian's Chromium with a fake microphone playing a tone).
import JsSIP from 'jssip';

const log = [];
const note = (what, data) => log.push({ t: Date.now(), what, ...data });

// Every WebSocket frame the page sends and receives, decrypted (the
// topology check scans what the browser side was told).
const frames = [];
const NativeWebSocket = window.WebSocket;
window.WebSocket = class extends NativeWebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener('message', (e) => frames.push({ dir: 'in', data: String(e.data) }));
  }

  send(data) {
    frames.push({ dir: 'out', data: String(data) });
    super.send(data);
  }
};

let ua = null;
let session = null;    // the current call
let incoming = null;   // a ringing incoming call
const calls = [];      // every call made or answered here (sc.use)
const remoteAudio = new Audio();
remoteAudio.autoplay = true;

// Plays what arrives: Chromium decodes received audio only while
// something pulls it (getStats levels stay 0 otherwise).
function play(pc) {
  if (!pc || pc.scPlaying) return;
  pc.scPlaying = true;
  const attach = () => {
    const tracks = pc.getReceivers().map((r) => r.track).filter((t) => t && t.kind === 'audio');
    if (tracks.length) remoteAudio.srcObject = new MediaStream(tracks);
  };
  pc.addEventListener('track', attach);
  attach();
}

function wire(s) {
  s.on('progress', (e) => note('progress', { status: e.response && e.response.status_code }));
  s.on('confirmed', () => note('confirmed'));
  s.on('ended', (e) => note('ended', { cause: e.cause, originator: e.originator }));
  s.on('failed', (e) => note('failed', {
    cause: e.cause, originator: e.originator,
    status: e.message && e.message.status_code,
    reason: e.message && e.message.getHeader && e.message.getHeader('Reason'),
  }));
  s.on('hold', (e) => note('hold', { originator: e.originator }));
  s.on('unhold', (e) => note('unhold', { originator: e.originator }));
  s.on('newDTMF', (e) => note('dtmf', { originator: e.originator, tone: e.dtmf.tone }));
  s.on('newInfo', (e) => note('info', { originator: e.originator,
    ctype: e.info.contentType, body: e.info.body }));
  s.on('peerconnection', (e) => play(e.peerconnection));
  s.on('confirmed', () => play(s.connection));
  // Transfers: a REFER is followed (a new call to its Refer-To, NOTIFYs
  // back, RFC 3515); an INVITE with Replaces (RFC 3891) takes this call's
  // place and is answered at once (xfer.mjs).
  s.on('refer', (e) => {
    note('refer', { target: e.request.getHeader('Refer-To') });
    e.accept((ns) => { session = ns; calls.push(ns); wire(ns); play(ns.connection); },
      { mediaConstraints: { audio: true, video: false }, pcConfig });
  });
  s.on('replaces', (e) => {
    note('replaces', { replaces: e.request.getHeader('Replaces') });
    e.accept((ns) => { ns.scReplacing = true; });
  });
}

const pcConfig = { iceServers: [], bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' };

window.sc = {
  log,
  calls,
  start(o) {
    return new Promise((resolve) => {
      const socket = new JsSIP.WebSocketInterface(o.ws);
      ua = new JsSIP.UA({ sockets: [socket], uri: o.uri, password: o.password,
        register: true, session_timers: false });
      ua.on('registered', () => { note('registered'); resolve(true); });
      ua.on('registrationFailed', (e) => { note('registrationFailed', { cause: e.cause }); resolve(false); });
      ua.on('newRTCSession', (e) => {
        if (e.originator !== 'remote') return;
        if (e.session.scReplacing) {
          session = e.session;
          calls.push(session);
          wire(session);
          note('replacing', { from: e.request.from.uri.user });
          session.answer({ mediaConstraints: { audio: true, video: false }, pcConfig });
          play(session.connection);
          return;
        }
        incoming = e.session;
        const from = e.request.from;
        note('incoming', { from: from.uri.user, display: from.display_name,
          sdp: e.request.body });
        wire(incoming);
      });
      ua.on('newMessage', (e) => {
        if (e.originator === 'remote') note('message', { body: e.request.body });
      });
      ua.start();
    });
  },
  call(target, opts = {}) {
    session = ua.call(target, {
      mediaConstraints: { audio: true, video: false },
      pcConfig,
      rtcOfferConstraints: { offerToReceiveAudio: true },
      ...opts,
    });
    calls.push(session);
    wire(session);
    play(session.connection);
    session.on('sending', (e) => note('sending', { sdp: e.request.body }));
    session.on('accepted', (e) => note('accepted', { sdp: e.response && e.response.body }));
    return true;
  },
  answer() {
    if (!incoming) return false;
    session = incoming;
    calls.push(session);
    incoming = null;
    session.answer({ mediaConstraints: { audio: true, video: false }, pcConfig });
    play(session.connection);
    return true;
  },
  hangup() { if (session) session.terminate(); return true; },
  // false while a re-INVITE is pending; 'held' / 'unheld' are noted when
  // the re-INVITE succeeded (JsSIP's own 'hold' event comes at once)
  hold() { return session.hold({}, () => note('held')); },
  // A re-offer (re-INVITE) without the codecs named (e.g. ['PCMU',
  // 'PCMA']): resolves with 'ok' when it succeeded, false when JsSIP
  // refused to start one (another re-INVITE pending).
  renegotiateWithout(names) {
    const drop = (e) => {
      if (e.originator !== 'local' || e.type !== 'offer') return;
      const pts = [];
      for (const m of e.sdp.matchAll(/^a=rtpmap:(\d+) ([^/\r\n]+)\//gm)) {
        if (names.includes(m[2])) pts.push(m[1]);
      }
      e.sdp = e.sdp.split('\r\n').filter((l) => !pts.some((pt) => l.startsWith(`a=rtpmap:${pt} `)
        || l.startsWith(`a=fmtp:${pt} `) || l.startsWith(`a=rtcp-fb:${pt} `)))
        .map((l) => (l.startsWith('m=audio ')
          ? l.split(' ').filter((f, i) => i < 3 || !pts.includes(f)).join(' ') : l))
        .join('\r\n');
      note('reoffer', { sdp: e.sdp });
    };
    session.on('sdp', drop);
    return new Promise((resolve) => {
      const ok = session.renegotiate({}, () => {
        session.removeListener('sdp', drop);
        resolve('ok');
      });
      if (!ok) {
        session.removeListener('sdp', drop);
        resolve(false);
      }
    });
  },
  // The codec of the received audio now (getStats), e.g. 'audio/PCMA'.
  async codec() {
    const pc = session && session.connection;
    if (!pc) return null;
    const stats = await pc.getStats();
    let id = null;
    const codecs = {};
    stats.forEach((r) => {
      if (r.type === 'inbound-rtp' && r.kind === 'audio') id = r.codecId;
      if (r.type === 'codec') codecs[r.id] = r.mimeType;
    });
    return id ? codecs[id] : null;
  },
  unhold() { return session.unhold({}, () => note('unheld')); },
  dtmf(tones, transportType) { session.sendDTMF(tones, { transportType }); return true; },
  // Blind transfer (RFC 3515): resolves with how the REFER was answered.
  refer(target) {
    return new Promise((resolve) => {
      session.refer(target, {
        eventHandlers: {
          requestSucceeded: () => resolve('accepted'),
          requestFailed: (e) => resolve(`failed ${e && e.response ? e.response.status_code : e && e.cause}`),
          accepted: () => note('notify', { status: 'accepted' }),
          failed: () => note('notify', { status: 'failed' }),
        },
      });
    });
  },
  // Attended transfer: REFER on the current call naming the other one
  // (JsSIP puts its dialog in Refer-To as ?Replaces=); `other` is the
  // index of that call in sc.calls.
  referReplaces(target, other) {
    return new Promise((resolve) => {
      session.refer(target, {
        replaces: calls[other],
        eventHandlers: {
          requestSucceeded: () => resolve('accepted'),
          requestFailed: (e) => resolve(`failed ${e && e.response ? e.response.status_code : e && e.cause}`),
          accepted: () => note('notify', { status: 'accepted' }),
          failed: () => note('notify', { status: 'failed' }),
        },
      });
    });
  },
  // Switch the current call (sc.calls keeps every call this page made or
  // answered, in order).
  use(i) { session = calls[i]; return true; },
  message(target, body) { ua.sendMessage(target, body); return true; },
  info(ctype, body) { session.sendInfo(ctype, body); return true; },
  frames() { return frames; },
  events(what) { return log.filter((e) => !what || e.what === what); },
  // Audio received: the highest audioLevel seen over ms, and packets.
  async audio(ms = 3000) {
    const pc = session && session.connection;
    if (!pc) return { packets: 0, level: 0 };
    let level = 0;
    let packets = 0;
    let sent = 0;
    const diag = {};
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const stats = await pc.getStats();
      stats.forEach((r) => {
        if (r.type === 'inbound-rtp' && r.kind === 'audio') {
          packets = r.packetsReceived || 0;
          if (typeof r.audioLevel === 'number') level = Math.max(level, r.audioLevel);
          diag.samples = r.totalSamplesReceived;
          diag.concealed = r.concealedSamples;
          diag.decoded = r.packetsDiscarded;
          diag.codecId = r.codecId;
        } else if (r.type === 'media-source' && r.kind === 'audio') {
          diag.micLevel = Math.max(diag.micLevel || 0, r.audioLevel || 0);
        } else if (r.type === 'outbound-rtp' && r.kind === 'audio') {
          sent = r.packetsSent || 0;
        } else if (r.type === 'codec') {
          diag[`codec_${r.id}`] = `${r.mimeType}/${r.payloadType}`;
        }
      });
      await new Promise((r) => setTimeout(r, 200));
    }
    return { packets, level, sent, diag };
  },
  stop() { if (ua) ua.stop(); return true; },
};
