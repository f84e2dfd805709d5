// pcap.mjs: reads the classic pcap files tcpdump writes on lo (Ethernet
// or Linux cooked framing, IPv4, UDP and TCP): one record per packet with
// addresses, ports, time and payload. Enough for the topology check; no
// reassembly (TCP payloads are scanned segment by segment).
import fs from 'node:fs';

const LINK_ETHERNET = 1;
const LINK_LINUX_SLL = 113;
const LINK_NULL = 0;

function ipv4(b, off) {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

export function readPcap(file) {
  const b = fs.readFileSync(file);
  const out = [];
  if (b.length < 24) return out;
  const magic = b.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  const u32 = (o) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const link = u32(20);
  let o = 24;
  while (o + 16 <= b.length) {
    const sec = u32(o);
    const frac = u32(o + 4);
    const caplen = u32(o + 8);
    const pkt = b.subarray(o + 16, o + 16 + caplen);
    o += 16 + caplen;
    let ip;
    if (link === LINK_ETHERNET) {
      if (pkt.length < 14 || pkt.readUInt16BE(12) !== 0x0800) continue;
      ip = 14;
    } else if (link === LINK_LINUX_SLL) {
      if (pkt.length < 16 || pkt.readUInt16BE(14) !== 0x0800) continue;
      ip = 16;
    } else if (link === LINK_NULL) {
      ip = 4;
    } else {
      throw new Error(`${file}: link type ${link} not handled`);
    }
    if (pkt.length < ip + 20 || pkt[ip] >> 4 !== 4) continue;
    const ihl = (pkt[ip] & 15) * 4;
    const proto = pkt[ip + 9];
    const total = pkt.readUInt16BE(ip + 2);
    const end = Math.min(pkt.length, ip + total);
    const l4 = ip + ihl;
    const rec = {
      t: sec * 1000 + (nano ? frac / 1e6 : frac / 1e3),
      src: ipv4(pkt, ip + 12), dst: ipv4(pkt, ip + 16),
    };
    if (proto === 17 && end >= l4 + 8) {
      rec.proto = 'udp';
      rec.sport = pkt.readUInt16BE(l4);
      rec.dport = pkt.readUInt16BE(l4 + 2);
      rec.payload = pkt.subarray(l4 + 8, end);
    } else if (proto === 6 && end >= l4 + 20) {
      rec.proto = 'tcp';
      rec.sport = pkt.readUInt16BE(l4);
      rec.dport = pkt.readUInt16BE(l4 + 2);
      rec.flags = pkt[l4 + 13];
      rec.payload = pkt.subarray(l4 + (pkt[l4 + 12] >> 4) * 4, end);
    } else {
      continue;
    }
    out.push(rec);
  }
  return out;
}

// RTP or RTCP (RFC 3550 version 2; RFC 5761 §4 tells them apart by the
// payload type), or null for STUN, DTLS and anything else.
export function rtpInfo(p) {
  if (p.length < 12 || (p[0] >> 6) !== 2) return null;
  const pt = p[1] & 0x7f;
  if (p[1] >= 192 && p[1] <= 223) return { rtcp: true, ssrc: p.readUInt32BE(4) };
  return { rtcp: false, pt, marker: (p[1] & 0x80) !== 0, ssrc: p.readUInt32BE(8) };
}

// Is this payload SIP text (a request or a response)?
export function isSip(p) {
  const head = p.subarray(0, 12).toString('latin1');
  return /^(SIP\/2\.0 |[A-Z]+ \S)/.test(head) && p.includes('SIP/2.0');
}
