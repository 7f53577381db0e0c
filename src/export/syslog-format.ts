// Syslog message headers and framing. RFC 5424 §6 (`<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG`,
// printable-ASCII header fields with length limits, NILVALUE "-"), RFC 3164 §4.1 (`<PRI>Mmm dd hh:mm:ss
// HOSTNAME TAG[pid]: MSG`, timestamps in UTC here), octet-counting framing for TCP and TLS (RFC 6587
// §3.4.1, RFC 5425 §4.3: `MSG-LEN SP SYSLOG-MSG`).

export type SyslogProtocol = 'rfc5424' | 'rfc3164';

export interface SyslogHeader {
  readonly facility: number;
  /** 0 emergency … 7 debug. */
  readonly severity: number;
  readonly at: number;
  readonly hostname: string;
  readonly appName: string;
  readonly procId: string;
  readonly msgId: string;
}

/** Printable US-ASCII (33–126) only, at most `max` characters, "-" when empty (RFC 5424 §6.2). */
export function headerField(s: string, max: number): string {
  const clean = s.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return clean === '' ? '-' : clean;
}

/** Export severity 0–10 → syslog severity (RFC 5424 Table 2). */
export function syslogSeverity(severity: number): number {
  if (severity >= 9) return 2; // critical
  if (severity >= 7) return 3; // error
  if (severity >= 5) return 4; // warning
  if (severity >= 3) return 5; // notice
  return 6; // informational
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function bsdTimestamp(at: number): string {
  const d = new Date(at);
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(
    d.getUTCMinutes(),
  )}:${p2(d.getUTCSeconds())}`;
}

export function formatSyslog(protocol: SyslogProtocol, h: SyslogHeader, msg: string): string {
  const pri = `<${h.facility * 8 + h.severity}>`;
  if (protocol === 'rfc5424') {
    return `${pri}1 ${new Date(h.at).toISOString()} ${headerField(h.hostname, 255)} ${headerField(
      h.appName,
      48,
    )} ${headerField(h.procId, 128)} ${headerField(h.msgId, 32)} - ${msg}`;
  }
  // RFC 3164 §4.1.3: TAG is alphanumeric, at most 32 characters.
  const tag = h.appName.replace(/[^A-Za-z0-9]/g, '').slice(0, 32) || 'floodgate';
  return `${pri}${bsdTimestamp(h.at)} ${headerField(h.hostname, 255)} ${tag}[${h.procId}]: ${msg}`;
}

/** RFC 6587 §3.4.1 octet counting: the length is of the UTF-8 bytes. */
export function octetFrame(msg: string): Buffer {
  const body = Buffer.from(msg, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}
