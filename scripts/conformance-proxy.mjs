// A loopback reverse proxy for the MCP conformance suite, which cannot send an
// `Authorization` header: it forwards every request unchanged (method, path, Host, Origin,
// MCP headers, body, streamed responses) to the real server and adds
// `Authorization: Bearer $CONFORMANCE_TOKEN`. The server's auth stays on; nothing in the
// product changes for the suite.
// Usage: CONFORMANCE_TOKEN=... node conformance-proxy.mjs LISTEN_PORT UPSTREAM_PORT
import http from 'node:http';

const [listenPort, upstreamPort] = process.argv.slice(2).map(Number);
const token = process.env.CONFORMANCE_TOKEN;
if (!listenPort || !upstreamPort || !token) {
  console.error('usage: CONFORMANCE_TOKEN=... node conformance-proxy.mjs LISTEN_PORT UPSTREAM_PORT');
  process.exit(2);
}

const agent = new http.Agent({ keepAlive: true });

http
  .createServer((req, res) => {
    const headers = { ...req.headers, authorization: `Bearer ${token}` };
    const upstream = http.request(
      { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        res.flushHeaders();
        answer.pipe(res);
      },
    );
    upstream.on('error', (e) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: upstream failed: ${e.message}\n`);
    });
    req.on('aborted', () => upstream.destroy());
    req.pipe(upstream);
  })
  .listen(listenPort, '127.0.0.1', () => {
    console.error(`conformance proxy: 127.0.0.1:${listenPort} -> 127.0.0.1:${upstreamPort} (+ bearer)`);
  });
