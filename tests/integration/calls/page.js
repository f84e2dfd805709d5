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
}

const pcConfig = { iceServers: [], bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' };

window.sc = {
  log,
  start(o) {
    return new Promise((resolve) => {
      const socket = new JsSIP.WebSocketInterface(o.ws);
      ua = new JsSIP.UA({ sockets: [socket], uri: o.uri, password: o.password,
        register: true, session_timers: false });
      ua.on('registered', () => { note('registered'); resolve(true); });
      ua.on('registrationFailed', (e) => { note('registrationFailed', { cause: e.cause }); resolve(false); });
      ua.on('newRTCSession', (e) => {
        if (e.originator !== 'remote') return;
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
    wire(session);
    play(session.connection);
    session.on('sending', (e) => note('sending', { sdp: e.request.body }));
    session.on('accepted', (e) => note('accepted', { sdp: e.response && e.response.body }));
    return true;
  },
  answer() {
    if (!incoming) return false;
    session = incoming;
    incoming = null;
    session.answer({ mediaConstraints: { audio: true, video: false }, pcConfig });
    play(session.connection);
    return true;
  },
  hangup() { if (session) session.terminate(); return true; },
  hold() { return session.hold(); }, // false while a re-INVITE is pending
  unhold() { return session.unhold(); },
  dtmf(tones, transportType) { session.sendDTMF(tones, { transportType }); return true; },
  // Blind transfer (RFC 3515): resolves with how the REFER was answered.
  refer(target) {
    return new Promise((resolve) => {
      session.refer(target, {
        eventHandlers: {
          requestSucceeded: () => resolve('accepted'),
          requestFailed: (e) => resolve(`failed ${e && e.response ? e.response.status_code : e && e.cause}`),
        },
      });
    });
  },
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
