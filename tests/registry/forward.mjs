// Helper of tests/registry-field.sh: a Service's ClusterIP as kube-proxy gives it, on loopback.
//
//   node forward.mjs LISTEN_HOST LISTEN_PORT ENDPOINTS_FILE LOG
//
// Listens on LISTEN_HOST:LISTEN_PORT; each new connection goes to the next endpoint (round-robin)
// of ENDPOINTS_FILE, read again for every connection (one host:port a line: the test edits the
// file as the Endpoints controller edits a Service's endpoints). No endpoint: the connection is
// reset at once (kube-proxy rejects a Service without endpoints). Appends "ENDPOINT" or "none" to
// LOG for every connection, so a test can tell which replica answered. Prints "listening" when
// ready.
import { appendFileSync, readFileSync } from 'node:fs';
import net from 'node:net';

const [host, port, file, log] = process.argv.slice(2);
if (!log) { process.stderr.write('usage: forward.mjs HOST PORT ENDPOINTS_FILE LOG\n'); process.exit(2); }
let next = 0;
const endpoints = () => {
	try { return readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean); } catch { return []; }
};
const server = net.createServer((c) => {
	const eps = endpoints();
	if (eps.length === 0) { appendFileSync(log, 'none\n'); c.resetAndDestroy(); return; }
	const ep = eps[next++ % eps.length], i = ep.lastIndexOf(':');
	appendFileSync(log, `${ep}\n`);
	const u = net.connect({ host: ep.slice(0, i), port: Number(ep.slice(i + 1)) });
	c.pipe(u); u.pipe(c);
	const end = () => { c.destroy(); u.destroy(); };
	c.on('error', end); u.on('error', end); c.on('close', end); u.on('close', end);
});
server.on('error', (e) => { process.stderr.write(`forward.mjs ${host}:${port}: ${e.message}\n`); process.exit(1); });
server.listen(Number(port), host, () => process.stdout.write('listening\n'));
