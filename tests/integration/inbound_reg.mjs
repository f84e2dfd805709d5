// inbound_reg.mjs HOST PORT USER PASSWORD: a PBX registering to the
// gateway over UDP with the credential `connection credentials` generated:
// REGISTER, 401, REGISTER with an MD5 digest (RFC 7616 §3.4, qop=auth),
// 200. (sipp answers only the first challenge and only with MD5; the
// gateway lists SHA-256 first, RFC 8760 §2.4.) Exit 0 on 200.
import dgram from 'node:dgram';
import crypto from 'node:crypto';

const [host, port, user, password] = process.argv.slice(2);
const sock = dgram.createSocket('udp4');
const md5 = (s) => crypto.createHash('md5').update(s).digest('hex');
const callid = crypto.randomBytes(8).toString('hex');
let cseq = 0;

function register(auth) {
  const lport = sock.address().port;
  const msg = [
    'REGISTER sip:sipcloak.test SIP/2.0',
    `Via: SIP/2.0/UDP 127.0.0.1:${lport};branch=z9hG4bK${crypto.randomBytes(6).toString('hex')};rport`,
    `From: <sip:${user}@sipcloak.test>;tag=${callid}`,
    `To: <sip:${user}@sipcloak.test>`,
    `Call-ID: ${callid}`,
    `CSeq: ${++cseq} REGISTER`,
    `Contact: <sip:pbx@127.0.0.1:${lport}>`,
    'Expires: 60',
    'Max-Forwards: 70',
    ...(auth ? [auth] : []),
    'Content-Length: 0', '', ''].join('\r\n');
  sock.send(msg, Number(port), host);
}

const timer = setTimeout(() => { console.error('inbound: timeout'); process.exit(1); }, 5000);
sock.on('message', (buf) => {
  const text = buf.toString();
  const code = Number(text.split(' ')[1]);
  if (code === 401 && cseq === 1) {
    const chal = text.split('\r\n').find((l) => /^WWW-Authenticate:.*algorithm=MD5/i.test(l));
    if (!chal) { console.error('inbound: no MD5 challenge'); process.exit(1); }
    const p = (k) => (chal.match(new RegExp(`${k}="?([^",]+)"?`)) || [])[1];
    const realm = p('realm'), nonce = p('nonce'), uri = 'sip:sipcloak.test';
    const cnonce = crypto.randomBytes(8).toString('hex'), nc = '00000001';
    const resp = md5(`${md5(`${user}:${realm}:${password}`)}:${nonce}:${nc}:${cnonce}:auth:${md5(`REGISTER:${uri}`)}`);
    register(`Authorization: Digest username="${user}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${resp}", algorithm=MD5, qop=auth, nc=${nc}, cnonce="${cnonce}"`);
    return;
  }
  clearTimeout(timer);
  console.log(`inbound: ${code}`);
  process.exit(code === 200 ? 0 : 1);
});
sock.bind(0, '127.0.0.1', () => register(null));
