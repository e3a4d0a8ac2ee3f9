// node-ws-room.js -- one chat room on Node's `ws` library: the reference
// beside chat-web in bench/run-bench's WebSocket fan-out.
//
//     NODE_PATH=/usr/share/nodejs node bench/node-ws-room.js PORT [HOST]
//
// It speaks the part of chat-web's WebSocket protocol (doc/web.md) that
// the benchmark uses: GET /ws?user_id=NAME is upgraded and greeted with
// {"type":"welcome","user":NAME,"online":N}; every {"type":"say","text":T}
// goes to every other client as {"type":"message","from":NAME,"text":T,
// "ts":MS,"seq":N}, and its sender gets {"type":"ok","seq":N}.  Nothing
// else: no names checked, no log, no flood limits, no pings.  One event
// loop, one process, every connection in it (ws 8: no compression).
'use strict';

const { WebSocketServer } = require('ws');

const port = Number(process.argv[2] || 8080);
const host = process.argv[3] || '127.0.0.1';
const wss = new WebSocketServer({ host, port, path: '/ws', backlog: 4096 });
let seq = 0;

function say(from, ws, text) {
  seq++;
  // One buffer for everyone: the JSON is built once per line.
  const event = Buffer.from(JSON.stringify({
    type: 'message', from, text, ts: Date.now(), seq,
  }));
  for (const client of wss.clients) {
    if (client !== ws && client.readyState === client.OPEN)
      client.send(event, { binary: false });
  }
  ws.send(JSON.stringify({ type: 'ok', seq }));
}

wss.on('connection', (ws, req) => {
  const name = new URL(req.url, 'http://localhost').searchParams.get('user_id');

  if (!name) {
    ws.close(1008, 'user_id missing');
    return;
  }
  ws.send(JSON.stringify({ type: 'welcome', user: name, online: wss.clients.size }));
  ws.on('message', (data, isBinary) => {
    let m;

    if (isBinary)
      return;
    try {
      m = JSON.parse(data);
    } catch (e) {
      return;
    }
    if (m.type === 'say' && typeof m.text === 'string')
      say(name, ws, m.text);
  });
  ws.on('error', () => {});
});

wss.on('listening', () => {
  process.stderr.write(`node-ws-room: listening on ${host}:${port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
