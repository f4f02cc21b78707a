// A TCP relay between the browser and the proxy, on its own loopback port. It records every
// byte in both directions (the secrets test searches them) and can cut the network: `cut()`
// resets every open connection and refuses new ones until `restore()`. Chromium's offline
// emulation alone fails new requests but leaves an open event stream flowing, which a real
// network drop does not; the offline scenario uses both.
import net from "node:net";

/** Starts a relay to `target` (`http://HOST:PORT`); resolves with { url, cut, restore, … }. */
export async function startRelay(target) {
  const { hostname, port } = new URL(target);
  const sockets = new Set();
  const fromServer = [];
  const fromBrowser = [];
  let blocked = false;

  const server = net.createServer((client) => {
    if (blocked) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(Number(port), hostname);
    sockets.add(client);
    sockets.add(upstream);
    client.on("data", (chunk) => fromBrowser.push(chunk));
    upstream.on("data", (chunk) => fromServer.push(chunk));
    client.pipe(upstream);
    upstream.pipe(client);
    const close = () => {
      for (const s of [client, upstream]) {
        s.destroy();
        sockets.delete(s);
      }
    };
    for (const s of [client, upstream]) {
      s.on("error", close);
      s.on("close", close);
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));

  return {
    url: `http://127.0.0.1:${server.address().port}`,
    /** The network goes away: open connections are reset, new ones refused. */
    cut() {
      blocked = true;
      for (const s of sockets) s.resetAndDestroy();
      sockets.clear();
    },
    /** The network is back. */
    restore() {
      blocked = false;
    },
    /** Every byte the proxy sent to the browser so far. */
    received: () => Buffer.concat(fromServer),
    /** Every byte the browser sent to the proxy so far. */
    sent: () => Buffer.concat(fromBrowser),
    close() {
      this.cut();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
