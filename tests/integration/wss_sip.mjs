// wss_sip.mjs PORT: SIP over secure WebSocket (RFC 7118) against a running
// gateway: subprotocol negotiation, OPTIONS, keep-alives, errors.
import WebSocket from 'ws';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';

const port = process.argv[2];
const url = `wss://127.0.0.1:${port}/ws`;
let passed = 0;
let failed = 0;

function open(protocols = ['sip'], opts = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { rejectUnauthorized: false, ...opts });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (req, res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => reject(Object.assign(new Error('refused'), { status: res.statusCode, body })));
    });
    ws.once('error', reject);
  });
}

function next(ws, ms = 3000) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no message within ' + ms + ' ms')), ms);
    ws.once('message', (data, isBinary) => {
      clearTimeout(t);
      resolve({ text: data.toString(), isBinary });
    });
  });
}

function request(method, ruri, extra = '') {
  const branch = 'z9hG4bK' + randomBytes(6).toString('hex');
  const callid = randomBytes(8).toString('hex');
  const msg =
    `${method} ${ruri} SIP/2.0\r\n` +
    `Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=${branch};rport\r\n` +
    `Max-Forwards: 70\r\n` +
    `To: <${ruri}>\r\n` +
    `From: <sip:alice@sipcloak.test>;tag=${randomBytes(4).toString('hex')}\r\n` +
    `Call-ID: ${callid}\r\n` +
    `CSeq: 1 ${method}\r\n` +
    extra +
    `Content-Length: 0\r\n\r\n`;
  return { msg, callid, branch };
}

function status(text) {
  const m = /^SIP\/2\.0 (\d{3}) ([^\r]*)\r\n/.exec(text);
  assert.ok(m, 'not a SIP response: ' + JSON.stringify(text.slice(0, 80)));
  return { code: Number(m[1]), reason: m[2] };
}

function header(text, name) {
  const m = new RegExp(`^${name}:[ \\t]*([^\\r]*)\\r$`, 'im').exec(text);
  return m ? m[1] : null;
}

async function test(name, fn) {
  try {
    await fn();
    passed++;
    console.log('ok   ' + name);
  } catch (e) {
    failed++;
    console.log('FAIL ' + name + ': ' + (e.stack || e));
  }
}

await test('handshake negotiates the sip subprotocol', async () => {
  const ws = await open();
  assert.equal(ws.protocol, 'sip');
  ws.close();
});

await test('handshake without the sip subprotocol is refused with a reason', async () => {
  await assert.rejects(open([]), (e) => {
    assert.ok(e.status >= 400 && e.status < 500, 'status ' + e.status);
    assert.match(e.body, /sip/i);
    return true;
  });
  await assert.rejects(open(['chat']), (e) => e.status >= 400 && e.status < 500);
});

await test('OPTIONS to the gateway gets 200 with Allow, Accept, Supported', async () => {
  const ws = await open();
  const r = request('OPTIONS', 'sip:sipcloak.test');
  ws.send(r.msg);
  const { text } = await next(ws);
  assert.equal(status(text).code, 200);
  assert.equal(header(text, 'Call-ID'), r.callid);
  assert.match(header(text, 'Allow') || '', /OPTIONS/);
  assert.notEqual(header(text, 'Accept'), null);
  assert.notEqual(header(text, 'Supported'), null);
  // RFC 7118 lets a server leave out received/rport toward WebSocket clients,
  // and we do: the browser's address is never reflected.
  assert.doesNotMatch(header(text, 'Via'), /received=|rport=/);
  assert.match(header(text, 'Via'), new RegExp(r.branch));
  ws.close();
});

await test('a binary WebSocket message is one SIP message too', async () => {
  const ws = await open();
  const r = request('OPTIONS', 'sip:sipcloak.test');
  ws.send(Buffer.from(r.msg), { binary: true });
  const { text } = await next(ws);
  assert.equal(status(text).code, 200);
  ws.close();
});

await test('a CRLF CRLF keep-alive is answered with CRLF (RFC 5626 3.5.1)', async () => {
  const ws = await open();
  ws.send('\r\n\r\n');
  const { text } = await next(ws);
  assert.equal(text, '\r\n');
  ws.close();
});

await test('unknown method: 501; other user: 404; a call without credentials: 401; bad CSeq: 400 with a reason', async () => {
  const ws = await open();
  ws.send(request('FOOBAR', 'sip:sipcloak.test').msg);
  assert.equal(status((await next(ws)).text).code, 501);
  ws.send(request('SUBSCRIBE', 'sip:bob@elsewhere.example').msg);
  assert.equal(status((await next(ws)).text).code, 404);
  // a device must authenticate its INVITE (the B2BUA, docs/calls.md)
  ws.send(request('INVITE', 'sip:bob@elsewhere.example').msg);
  const ch = await next(ws);
  assert.equal(status(ch.text).code, 401);
  assert.match(ch.text, /WWW-Authenticate: Digest /);
  ws.send(request('OPTIONS', 'sip:sipcloak.test').msg.replace('CSeq: 1 OPTIONS', 'CSeq: x OPTIONS'));
  const s = status((await next(ws)).text);
  assert.equal(s.code, 400);
  assert.match(s.reason, /CSeq/i);
  ws.send(request('OPTIONS', 'sip:sipcloak.test').msg.replace('SIP/2.0\r\n', 'SIP/7.0\r\n'));
  assert.equal(status((await next(ws)).text).code, 505);
  ws.send(request('OPTIONS', 'sip:sipcloak.test').msg.replace('Max-Forwards: 70', 'Max-Forwards: 0'));
  assert.equal(status((await next(ws)).text).code, 483);
  ws.close();
});

await test('many connections in parallel each get their own answers', async () => {
  const conns = await Promise.all(Array.from({ length: 20 }, () => open()));
  const results = await Promise.all(
    conns.map(async (ws) => {
      const r = request('OPTIONS', 'sip:sipcloak.test');
      ws.send(r.msg);
      const { text } = await next(ws);
      ws.close();
      return header(text, 'Call-ID') === r.callid && status(text).code === 200;
    })
  );
  assert.ok(results.every(Boolean));
});

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
