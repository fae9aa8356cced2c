// A bare keep-alive node:http receiver for the dispatch benchmark, run as a
// child process so it does not share the dispatcher's event loop. Prints its
// port on stdout, then the number of requests it served on SIGTERM.
import http from 'node:http';

let count = 0;
const server = http.createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    count++;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('ok');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('SIGTERM', () => {
  process.stdout.write(`${count}\n`);
  process.exit(0);
});
