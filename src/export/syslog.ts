// Syslog event sink: CEF, LEEF or JSON payloads (Wazuh reads the JSON, docs/wazuh/) under an RFC 5424 or
// RFC 3164 header, over UDP (RFC 5426: one message per datagram), TCP (RFC 6587 octet counting) or TLS
// (RFC 5425, octet counting, server certificate verified). One stream connection, opened on demand,
// destroyed on any error or deadline so the next attempt reconnects.
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { toCef } from './cef.js';
import type { SyslogSinkConfig } from './config.js';
import { eventDocument, type ExportEvent } from './event.js';
import { toLeef } from './leef.js';
import type { Delivery, QueueHooks } from './queue.js';
import { QueuedSink } from './sink.js';
import { formatSyslog, octetFrame, syslogSeverity } from './syslog-format.js';

/** One event as the syslog line sent; `hostname` (node.name) applies when the sink sets none. */
export function syslogMessage(cfg: SyslogSinkConfig, e: ExportEvent, hostname: string): string {
  const body =
    cfg.payload === 'cef' ? toCef(e) : cfg.payload === 'leef' ? toLeef(e) : JSON.stringify(eventDocument(e));
  return formatSyslog(
    cfg.protocol,
    {
      facility: cfg.facility,
      severity: syslogSeverity(e.severity),
      at: e.at,
      hostname: cfg.hostname ?? hostname,
      appName: cfg.appName,
      procId: String(process.pid),
      msgId: `${e.category}-${e.action}`,
    },
    body,
  );
}

/** Writes one batch of already formatted messages; rejects on any transport failure. */
interface Transport {
  send(messages: readonly string[], timeoutMs: number): Promise<void>;
  close(): void;
}

class UdpTransport implements Transport {
  private socket: dgram.Socket | undefined;
  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  private async open(): Promise<dgram.Socket> {
    if (this.socket) return this.socket;
    const type = net.isIPv6(this.host) ? 'udp6' : 'udp4';
    const s = dgram.createSocket(type);
    s.on('error', () => this.close());
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.connect(this.port, this.host, () => {
        s.off('error', reject);
        resolve();
      });
    });
    this.socket = s;
    return s;
  }

  async send(messages: readonly string[]): Promise<void> {
    const s = await this.open();
    for (const m of messages)
      await new Promise<void>((resolve, reject) =>
        s.send(Buffer.from(m, 'utf8'), (err) => (err ? reject(err) : resolve())),
      );
  }

  close(): void {
    try {
      this.socket?.close();
    } catch {
      /* already closed */
    }
    this.socket = undefined;
  }
}

class StreamTransport implements Transport {
  private socket: net.Socket | undefined;
  private connecting: Promise<net.Socket> | undefined;

  constructor(
    private readonly cfg: SyslogSinkConfig,
    private readonly secure: boolean,
  ) {}

  private connect(timeoutMs: number): Promise<net.Socket> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
    if (this.connecting) return this.connecting;
    const { host, port, tls: t } = this.cfg;
    this.connecting = new Promise<net.Socket>((resolve, reject) => {
      const s = this.secure
        ? tls.connect({
            host,
            port,
            servername: t.servername ?? (net.isIP(host) ? undefined : host),
            rejectUnauthorized: t.rejectUnauthorized,
            ...(t.ca ? { ca: readFileSync(t.ca) } : {}),
            ...(t.cert ? { cert: readFileSync(t.cert) } : {}),
            ...(t.key ? { key: readFileSync(t.key) } : {}),
          })
        : net.connect({ host, port });
      const timer = setTimeout(
        () => s.destroy(new Error(`connect timeout after ${timeoutMs} ms`)),
        timeoutMs,
      );
      s.once(this.secure ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        s.setKeepAlive(true, 30_000);
        this.socket = s;
        resolve(s);
      });
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      s.on('error', () => undefined);
      s.on('close', () => {
        if (this.socket === s) this.socket = undefined;
      });
      // the receiver never talks back on a syslog connection; read and discard so nothing piles up
      s.on('data', () => undefined);
    }).finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  async send(messages: readonly string[], timeoutMs: number): Promise<void> {
    const s = await this.connect(timeoutMs);
    const data = Buffer.concat(messages.map(octetFrame));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`write not flushed within ${timeoutMs} ms`));
      }, timeoutMs);
      s.write(data, (err) => {
        clearTimeout(timer);
        if (err) {
          s.destroy();
          reject(err);
        } else resolve();
      });
    });
  }

  close(): void {
    this.socket?.end();
    this.socket?.destroy();
    this.socket = undefined;
  }
}

export class SyslogSink extends QueuedSink {
  private readonly transport: Transport;

  constructor(
    private readonly cfg: SyslogSinkConfig,
    private readonly hostname: string,
    hooks: QueueHooks = {},
  ) {
    super(cfg.name, 'syslog', cfg.events, cfg.queue, hooks);
    this.transport =
      cfg.transport === 'udp'
        ? new UdpTransport(cfg.host, cfg.port)
        : new StreamTransport(cfg, cfg.transport === 'tls');
  }

  protected async deliver(batch: readonly ExportEvent[]): Promise<Delivery<ExportEvent>> {
    const messages = batch.map((e) => syslogMessage(this.cfg, e, this.hostname));
    try {
      await this.transport.send(messages, this.cfg.queue.timeoutMs);
      return { kind: 'ok' };
    } catch (err) {
      return { kind: 'retry', error: `syslog ${this.cfg.transport}: ${(err as Error).message}` };
    }
  }

  protected override async shutdown(): Promise<void> {
    this.transport.close();
  }
}
