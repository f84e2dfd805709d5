// topology.mjs: issue 5's "topology hiding, verified". Reads the two
// captures calls.sh made (pbx.pcap: everything to and from the PBX's ports;
// browser.pcap: the browsers' WSS connections and the UDP of the gateway's
// media ports that is not the PBX's) and the decrypted WebSocket frames of
// every device (topology.json), and asserts that nothing of one side
// reached the other: addresses, ports, WebSocket hosts, instance ids,
// Call-IDs, tags, branches, ICE/DTLS/RTP identities, SSRCs. Then the
// media checks the DTMF flows need (RFC 4733 events on each side).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { readPcap, rtpInfo, isSip } from './pcap.mjs';

const E = process.env;
const WORK = E.WORK;
const { windows, frames } = JSON.parse(fs.readFileSync(`${WORK}/topology.json`, 'utf8'));
const PBX_IP = E.PBX_IP;
const GW_IP = E.GW_IP;
const MEDIA_LO = Number(E.MEDIA_LO);
const MEDIA_HI = MEDIA_LO + 99;
const SIP_PORT = Number(E.SIP_PORT);
const MIN_TOKEN = 6; // shorter identifiers would match by chance
const failures = [];
const check = (ok, msg) => { if (!ok) failures.push(msg); };

const pbxPkts = readPcap(`${WORK}/pbx.pcap`);
const brPkts = readPcap(`${WORK}/browser.pcap`);
assert.ok(pbxPkts.length > 100, `pbx.pcap has ${pbxPkts.length} packets`);
assert.ok(brPkts.length > 100, `browser.pcap has ${brPkts.length} packets`);

// ---- identifiers a SIP message's sender made itself
function sipIds(text, ids) {
  const req = !text.startsWith('SIP/2.0');
  const hdr = (name, compact) => {
    const m = text.match(new RegExp(`^(?:${name}|${compact}):[ \\t]*(.*)$`, 'im'));
    return m ? m[1].trim() : '';
  };
  const tag = (v) => (v.match(/;\s*tag=([^;>\s,]+)/i) || [])[1];
  const via = hdr('Via', 'v');
  if (req) {
    ids.add(hdr('Call-ID', 'i'));
    ids.add(tag(hdr('From', 'f')));
    ids.add((via.match(/branch=([^;,\s]+)/i) || [])[1]);
    ids.add((via.match(/^SIP\/2\.0\/\S+\s+([^;:\s]+)/i) || [])[1]);
  } else {
    ids.add(tag(hdr('To', 't')));
  }
  const contact = hdr('Contact', 'm');
  ids.add((contact.match(/@([^;>:\s]+)/) || contact.match(/sips?:([^;>:@\s]+)/) || [])[1]);
  for (const m of text.matchAll(/\+sip\.instance="?<?([^">]+)/g)) ids.add(m[1]);
  return text;
}

// ... and what its session description names
function sdpIds(text, ids, nums) {
  for (const [re, i] of [[/^a=ice-ufrag:(\S+)/gm, 1], [/^a=ice-pwd:(\S+)/gm, 1],
    [/^a=fingerprint:\S+ (\S+)/gm, 1], [/^a=ssrc:\d+ cname:(\S+)/gm, 1],
    [/^a=msid:(\S+)/gm, 1], [/^a=candidate:\S+ \d \S+ \d+ (\S+) /gm, 1]]) {
    for (const m of text.matchAll(re)) ids.add(m[i]);
  }
  for (const m of text.matchAll(/^o=\S+ (\d+) /gm)) nums.add(m[1]);
  for (const m of text.matchAll(/^a=ssrc:(\d+) /gm)) nums.add(m[1]);
  for (const m of text.matchAll(/^a=candidate:\S+ \d \S+ \d+ \S+ (\d+)/gm)) nums.add(m[1]);
  for (const m of text.matchAll(/^m=audio (\d+)/gm)) nums.add(m[1]);
}

const clean = (set) => [...set].filter((s) => s && s.length >= MIN_TOKEN);
// numbers as decimal text; below 1024 they occur everywhere (and port 9 is
// the placeholder of TCP candidates); the gateway's own ports are no one's
const gwPort = (n) => n === SIP_PORT || (n >= MEDIA_LO && n <= MEDIA_HI);
const numbers = (set) => [...new Set([...set].map(String))]
  .filter((n) => /^\d+$/.test(n) && Number(n) >= 1024 && !gwPort(Number(n)));

// ---- the browser side: what the devices sent (frames 'out') and received
const brIds = new Set(['127.0.0.1', '.invalid']);
const brNums = new Set([Number(E.HTTPS_PORT)]);
const brSsrc = new Set();
const brIn = []; // every SIP text a device received
for (const [dev, fr] of Object.entries(frames)) {
  for (const f of fr) {
    if (f.dir === 'out') {
      sipIds(f.data, brIds);
      sdpIds(f.data, brIds, brNums);
    } else {
      brIn.push({ dev, text: f.data });
    }
  }
}
for (const d of Object.values(JSON.parse(E.CALL_DEVICES))) brIds.add(d.user);
for (const p of brPkts) {
  if (p.proto === 'tcp' && p.dport === Number(E.HTTPS_PORT)) {
    brIds.add(p.src);
    brNums.add(p.sport);
  }
  if (p.proto === 'udp' && p.dst === GW_IP) { // a browser's media
    brIds.add(p.src);
    brNums.add(p.sport);
    const r = rtpInfo(p.payload);
    if (r && !r.rtcp) brSsrc.add(r.ssrc);
  }
}
for (const s of brSsrc) brNums.add(s);

// ---- the PBX side: what sipp sent
const pbxIds = new Set([PBX_IP, 'SIPpTag', E.TRUNK_USER]);
const pbxNums = new Set([Number(E.PBX_PORT), Number(E.DOWN_PORT)]);
const pbxSsrc = new Set();
for (let i = 0; i < 4; i++) pbxNums.add(Number(E.PBX_MEDIA_PORT) + i);
for (const p of pbxPkts) {
  if (p.src !== PBX_IP) continue;
  pbxNums.add(p.sport);
  if (isSip(p.payload)) {
    const text = p.payload.toString('latin1');
    sipIds(text, pbxIds);
    sdpIds(text, pbxIds, pbxNums);
  } else if (p.proto === 'udp') {
    const r = rtpInfo(p.payload);
    if (r && !r.rtcp) pbxSsrc.add(r.ssrc);
  }
}
for (const s of pbxSsrc) pbxNums.add(s);

// a number as a token of its own: not inside hex or base62 randoms (digest
// responses, branches, tags), where any 5 digits turn up now and then
const wholeNumber = (text, n) => new RegExp(`(^|[^0-9A-Za-z])${n}([^0-9A-Za-z]|$)`).test(text);
function scan(side, text, ids, nums) {
  for (const s of ids) check(!text.includes(s), `${side} received '${s}' of the other side: ${text.slice(0, 300)}`);
  for (const n of nums) check(!wholeNumber(text, n), `${side} received the number ${n} of the other side: ${text.slice(0, 300)}`);
}

const brIdList = clean(brIds);
const brNumList = numbers(brNums);
const pbxIdList = clean(pbxIds);
const pbxNumList = numbers(pbxNums);
console.log(`topology: ${pbxPkts.length} PBX-side and ${brPkts.length} browser-side packets, `
  + `${brIn.length} frames the devices received; looking for ${brIdList.length} strings and `
  + `${brNumList.length} numbers of the browser side, ${pbxIdList.length} and ${pbxNumList.length} of the PBX's`);

// 0. positive controls: each side's own identifiers come back to it (the
// gateway echoes Call-IDs, tags and branches in its responses), so the
// extraction and the scan do find things
const own = (texts, list) => list.filter((s) => texts.some((t) => t.includes(s))).length;
const pbxGot = pbxPkts.filter((p) => p.dst === PBX_IP && isSip(p.payload)).map((p) => p.payload.toString('latin1'));
const brGot = brIn.map((f) => f.text);
const ownPbx = own(pbxGot, pbxIdList);
const ownBr = own(brGot, brIdList);
check(ownPbx >= 10 && ownBr >= 10, `positive control: ${ownPbx} PBX and ${ownBr} browser identifiers came back to their own side`);
if (E.TOPOLOGY_DEBUG) console.log({ brIdList, brNumList, pbxIdList, pbxNumList });

// 1. what the PBX received: every byte, from the gateway's PBX-side address only
let pbxSip = 0;
let pbxRtp = 0;
for (const p of pbxPkts) {
  if (p.dst !== PBX_IP) continue;
  const text = p.payload.toString('latin1');
  if (p.proto === 'tcp' && p.dport === Number(E.DOWN_PORT)) {
    // the "PBX down" connection attempt: a SYN, no payload; its source
    // address is the kernel's choice (the gateway does not bind outgoing
    // TCP to its [sip] tcp address), on loopback 127.0.0.1
    check(p.payload.length === 0, 'payload sent to the closed PBX port');
    if (p.flags === 2) console.log(`topology: the TCP connection to the PBX came from ${p.src}`);
  } else {
    check(p.src === GW_IP, `the PBX got a packet from ${p.src}:${p.sport}`);
  }
  if (isSip(p.payload)) {
    pbxSip++;
    check(p.sport === SIP_PORT, `SIP to the PBX from port ${p.sport}`);
    scan('the PBX', text, brIdList, brNumList);
    check(!/RTP\/SAVPF|a=ice-|a=fingerprint|a=setup/.test(text), 'WebRTC SDP reached the PBX');
  } else if (p.proto === 'udp') {
    for (const s of brIdList) check(!text.includes(s), `the PBX's media carried '${s}'`);
    const r = rtpInfo(p.payload);
    if (r) {
      pbxRtp++;
      check(p.sport >= MEDIA_LO && p.sport <= MEDIA_HI, `RTP to the PBX from port ${p.sport}`);
      check(!brSsrc.has(r.ssrc), `the PBX got a browser's SSRC ${r.ssrc}`);
    }
  }
}
check(pbxSip > 20 && pbxRtp > 500, `PBX side: ${pbxSip} SIP messages, ${pbxRtp} RTP/RTCP packets`);

// 2. what the browsers received: the decrypted signalling...
let viaChecked = 0;
for (const { dev, text } of brIn) {
  scan(`device ${dev}`, text, pbxIdList, pbxNumList);
  if (text.startsWith('SIP/2.0')) {
    const via = (text.match(/^(?:Via|v):(.*)$/im) || [])[1] || '';
    // RFC 7118 §5 lets a server leave them out toward WebSocket clients: we do
    check(!/received=|rport=\d/i.test(via), `${dev}: Via with received/rport: ${via}`);
    viaChecked++;
  }
}
check(viaChecked > 20, `${viaChecked} responses to devices checked for received/rport`);
// ... and the headers of their media: only from the gateway's media ports
let brMedia = 0;
const teByWindow = {};
for (const p of brPkts) {
  if (p.proto !== 'udp' || p.dst === GW_IP) continue;
  check(p.src === GW_IP && p.sport >= MEDIA_LO && p.sport <= MEDIA_HI,
    `a browser got UDP from ${p.src}:${p.sport}`);
  const r = rtpInfo(p.payload);
  if (!r) continue;
  brMedia++;
  check(!pbxSsrc.has(r.ssrc), `a browser got the PBX's SSRC ${r.ssrc} (no per-leg SSRC)`);
}
check(brMedia > 500, `${brMedia} SRTP/SRTCP packets to browsers`);

// 3. RFC 4733 telephone-events in the windows of the DTMF flows
function events(pkts, toPbx, pts, w) {
  return pkts.filter((p) => p.proto === 'udp' && (p.dst === PBX_IP) === toPbx
    && p.src === GW_IP && p.t >= w.t0 && p.t <= w.t1)
    .map((p) => rtpInfo(p.payload)).filter((r) => r && !r.rtcp && pts.has(r.pt));
}
const brTePts = new Set();
for (const { text } of brIn) {
  for (const m of text.matchAll(/^a=rtpmap:(\d+) telephone-event\//gm)) brTePts.add(Number(m[1]));
}
const wDtmf = windows.find((w) => w.name.startsWith('hold and DTMF with the PBX'));
if (wDtmf) {
  const toBr = events(brPkts, false, brTePts, wDtmf);
  check(toBr.length >= 3 && toBr.some((r) => r.marker),
    `PBX RFC 4733 -> browser: ${toBr.length} telephone-event packets (PT ${[...brTePts]})`);
  const toPbx = events(pbxPkts, true, new Set([101]), wDtmf);
  check(toPbx.length >= 3 && toPbx.some((r) => r.marker),
    `device INFO -> PBX RFC 4733: ${toPbx.length} telephone-event packets`);
  teByWindow.toBrowser = toBr.length;
  teByWindow.toPbx = toPbx.length;
} else {
  check(false, 'no window of the hold and DTMF flow');
}

if (failures.length) {
  const uniq = [...new Set(failures)];
  console.error(`topology: ${uniq.length} failures:\n${uniq.slice(0, 30).join('\n')}`);
  process.exit(1);
}
console.log(`topology ok: ${pbxSip} SIP and ${pbxRtp} RTP/RTCP packets to the PBX, ${brIn.length} `
  + `frames and ${brMedia} SRTP packets to devices, telephone-events ${JSON.stringify(teByWindow)}`);
