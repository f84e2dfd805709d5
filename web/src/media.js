// media.js: the microphone (choice, permission, level), the level meters
// and the ringtone, all with WebAudio: no audio files, nothing fetched.
let ctx = null;

export function audioCtx() {
  if (!ctx) ctx = new AudioContext();
  if (ctx.state === 'suspended') ctx.resume().catch(() => {});
  return ctx;
}

// Why getUserMedia failed, in words for people.
export function micError(e) {
  switch (e && e.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'The browser blocked the microphone. Allow microphone access for this site ' +
        '(the lock or camera icon next to the address), then try again.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No microphone was found. Plug one in or choose another, then try again.';
    case 'NotReadableError':
      return 'The microphone is in use by another program or cannot be opened.';
    default:
      return 'The microphone could not be opened' + (e && e.message ? ` (${e.message})` : '') + '.';
  }
}

export async function micOpen(deviceId) {
  const audio = {
    echoCancellation: true, noiseSuppression: true, autoGainControl: true,
  };
  if (deviceId) audio.deviceId = { exact: deviceId };
  return navigator.mediaDevices.getUserMedia({ audio, video: false });
}

export async function micList() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return [];
  const all = await navigator.mediaDevices.enumerateDevices();
  return all.filter((d) => d.kind === 'audioinput');
}

export function streamStop(stream) {
  if (stream) stream.getTracks().forEach((t) => t.stop());
}

// A meter element (role=meter with a .fill child) following a stream's
// level, 0..100 (RMS in dB from -60 to 0). Returns a stop function.
export function meterAttach(el, stream) {
  const c = audioCtx();
  const src = c.createMediaStreamSource(stream);
  const an = c.createAnalyser();
  an.fftSize = 1024;
  src.connect(an);
  const buf = new Float32Array(an.fftSize);
  const fill = el.querySelector('.fill');
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    an.getFloatTimeDomainData(buf);
    let sum = 0;
    for (let i = 0; i < buf.length; i++) sum += buf[i] * buf[i];
    const rms = Math.sqrt(sum / buf.length);
    const db = rms > 0 ? 20 * Math.log10(rms) : -100;
    const v = Math.max(0, Math.min(100, Math.round((db + 60) * 100 / 60)));
    el.setAttribute('aria-valuenow', String(v));
    if (fill) fill.style.width = v + '%';
    setTimeout(tick, 100);
  };
  tick();
  return () => {
    stopped = true;
    src.disconnect();
    el.setAttribute('aria-valuenow', '0');
    if (fill) fill.style.width = '0%';
  };
}

// A two-tone ring (425 Hz and 480 Hz, 1 s on, 3 s off) until stopped.
export function ringStart() {
  let c;
  try {
    c = audioCtx();
  } catch (e) {
    return () => {};
  }
  const gain = c.createGain();
  gain.gain.value = 0;
  gain.connect(c.destination);
  const oscs = [425, 480].map((f) => {
    const o = c.createOscillator();
    o.frequency.value = f;
    o.connect(gain);
    o.start();
    return o;
  });
  let t = c.currentTime + 0.05;
  const schedule = () => {
    while (t < c.currentTime + 8) {
      gain.gain.setValueAtTime(0.15, t);
      gain.gain.setValueAtTime(0, t + 1);
      t += 4;
    }
  };
  schedule();
  const iv = setInterval(schedule, 2000);
  return () => {
    clearInterval(iv);
    gain.gain.cancelScheduledValues(0);
    gain.gain.value = 0;
    oscs.forEach((o) => o.stop());
    gain.disconnect();
  };
}
