// RPKI-to-Router PDUs: RFC 8210 (version 1) §5 and RFC 6810 (version 0). Pure codec: bytes in, a
// typed PDU or a typed error (with the RFC 8210 §12 error code to report) out.
import { ipFromBytes } from '../../net/address.js';
import { makePrefix } from '../../net/prefix.js';
import type { Vrp } from '../vrp.js';
import { checkVrp } from '../vrp.js';

export type RtrVersion = 0 | 1;

/** RFC 8210 §12 error codes. */
export const RTR_ERROR = {
  corruptData: 0,
  internalError: 1,
  noDataAvailable: 2,
  invalidRequest: 3,
  unsupportedVersion: 4,
  unsupportedPduType: 5,
  withdrawalOfUnknownRecord: 6,
  duplicateAnnouncement: 7,
  unexpectedVersion: 8,
} as const;
export type RtrErrorCode = (typeof RTR_ERROR)[keyof typeof RTR_ERROR];

export const RTR_ERROR_NAME: Readonly<Record<number, string>> = {
  0: 'Corrupt Data',
  1: 'Internal Error',
  2: 'No Data Available',
  3: 'Invalid Request',
  4: 'Unsupported Protocol Version',
  5: 'Unsupported PDU Type',
  6: 'Withdrawal of Unknown Record',
  7: 'Duplicate Announcement Received',
  8: 'Unexpected Protocol Version',
};

export interface EndOfDataTimers {
  /** Seconds (RFC 8210 §6, defaults 3600 / 600 / 7200). */
  readonly refresh: number;
  readonly retry: number;
  readonly expire: number;
}

export type RtrPdu =
  | {
      readonly type: 'serial-notify';
      readonly version: number;
      readonly sessionId: number;
      readonly serial: number;
    }
  | {
      readonly type: 'serial-query';
      readonly version: number;
      readonly sessionId: number;
      readonly serial: number;
    }
  | { readonly type: 'reset-query'; readonly version: number }
  | { readonly type: 'cache-response'; readonly version: number; readonly sessionId: number }
  | { readonly type: 'prefix'; readonly version: number; readonly announce: boolean; readonly vrp: Vrp }
  | {
      readonly type: 'end-of-data';
      readonly version: number;
      readonly sessionId: number;
      readonly serial: number;
      /** Absent in version 0, whose End of Data carries no timers. */
      readonly timers?: EndOfDataTimers;
    }
  | { readonly type: 'cache-reset'; readonly version: number }
  | { readonly type: 'router-key'; readonly version: number }
  | {
      readonly type: 'error-report';
      readonly version: number;
      readonly code: number;
      readonly pdu: Uint8Array;
      readonly text: string;
    };

const TYPE = {
  'serial-notify': 0,
  'serial-query': 1,
  'reset-query': 2,
  'cache-response': 3,
  ipv4: 4,
  ipv6: 6,
  'end-of-data': 7,
  'cache-reset': 8,
  'router-key': 9,
  'error-report': 10,
} as const;

/** The most a cache may put in one PDU we accept: an Error Report with its copy and text. */
export const MAX_PDU_LENGTH = 64 * 1024;

export class RtrDecodeError extends Error {
  constructor(
    readonly code: RtrErrorCode,
    message: string,
    /** The offending PDU, sent back inside our Error Report. */
    readonly pdu: Uint8Array,
  ) {
    super(message);
    this.name = 'RtrDecodeError';
  }
}

function header(version: number, type: number, field: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  b.writeUInt8(version, 0);
  b.writeUInt8(type, 1);
  b.writeUInt16BE(field, 2);
  b.writeUInt32BE(length, 4);
  return b;
}

/** Encodes the PDUs a router sends (queries, Error Reports) and, for tests, a cache's. */
export function encodePdu(pdu: RtrPdu): Buffer {
  switch (pdu.type) {
    case 'serial-notify':
    case 'serial-query': {
      const b = header(pdu.version, TYPE[pdu.type], pdu.sessionId, 12);
      b.writeUInt32BE(pdu.serial >>> 0, 8);
      return b;
    }
    case 'reset-query':
    case 'cache-reset':
      return header(pdu.version, TYPE[pdu.type], 0, 8);
    case 'cache-response':
      return header(pdu.version, TYPE['cache-response'], pdu.sessionId, 8);
    case 'prefix': {
      const v6 = pdu.vrp.prefix.family === 6;
      const b = header(pdu.version, v6 ? TYPE.ipv6 : TYPE.ipv4, 0, v6 ? 32 : 20);
      b.writeUInt8(pdu.announce ? 1 : 0, 8);
      b.writeUInt8(pdu.vrp.prefix.length, 9);
      b.writeUInt8(pdu.vrp.maxLength, 10);
      Buffer.from(pdu.vrp.prefix.bytes).copy(b, 12);
      b.writeUInt32BE(pdu.vrp.asn >>> 0, v6 ? 28 : 16);
      return b;
    }
    case 'end-of-data': {
      const b = header(pdu.version, TYPE['end-of-data'], pdu.sessionId, pdu.version === 0 ? 12 : 24);
      b.writeUInt32BE(pdu.serial >>> 0, 8);
      if (pdu.version !== 0) {
        const t = pdu.timers ?? { refresh: 3600, retry: 600, expire: 7200 };
        b.writeUInt32BE(t.refresh, 12);
        b.writeUInt32BE(t.retry, 16);
        b.writeUInt32BE(t.expire, 20);
      }
      return b;
    }
    case 'router-key':
      throw new Error('router-key PDUs are not encoded by floodgate');
    case 'error-report': {
      const text = Buffer.from(pdu.text, 'utf8');
      const len = 8 + 4 + pdu.pdu.length + 4 + text.length;
      const b = header(pdu.version, TYPE['error-report'], pdu.code, len);
      b.writeUInt32BE(pdu.pdu.length, 8);
      Buffer.from(pdu.pdu).copy(b, 12);
      b.writeUInt32BE(text.length, 12 + pdu.pdu.length);
      text.copy(b, 16 + pdu.pdu.length);
      return b;
    }
  }
}

/**
 * Splits a stream buffer into whole PDUs. Returns the PDUs decoded and how many bytes they used;
 * the rest waits for more data. Throws RtrDecodeError on a PDU that must end the session.
 */
export function decodeStream(buf: Buffer): { pdus: RtrPdu[]; used: number } {
  const pdus: RtrPdu[] = [];
  let off = 0;
  while (buf.length - off >= 8) {
    const length = buf.readUInt32BE(off + 4);
    if (length < 8 || length > MAX_PDU_LENGTH)
      throw new RtrDecodeError(
        RTR_ERROR.corruptData,
        `PDU length ${length} is outside 8..${MAX_PDU_LENGTH}`,
        buf.subarray(off, off + 8),
      );
    if (buf.length - off < length) break;
    pdus.push(decodePdu(buf.subarray(off, off + length)));
    off += length;
  }
  return { pdus, used: off };
}

const FIXED_LENGTH: Readonly<Record<number, readonly number[]>> = {
  0: [12],
  1: [12],
  2: [8],
  3: [8],
  4: [20],
  6: [32],
  8: [8],
};

/** Decodes exactly one PDU (its length already checked against the buffer). */
export function decodePdu(b: Buffer): RtrPdu {
  const version = b.readUInt8(0);
  const type = b.readUInt8(1);
  const field = b.readUInt16BE(2);
  const length = b.readUInt32BE(4);
  const fail = (code: RtrErrorCode, msg: string): never => {
    throw new RtrDecodeError(code, msg, Buffer.from(b));
  };
  if (length !== b.length)
    fail(RTR_ERROR.corruptData, `PDU length ${length} does not match ${b.length} bytes`);
  if (version > 1)
    fail(RTR_ERROR.unsupportedVersion, `protocol version ${version} is not supported (0 and 1 are)`);
  const fixed = FIXED_LENGTH[type];
  if (fixed && !fixed.includes(length))
    fail(RTR_ERROR.corruptData, `PDU type ${type} must be ${fixed.join(' or ')} bytes, got ${length}`);
  switch (type) {
    case 0:
      return { type: 'serial-notify', version, sessionId: field, serial: b.readUInt32BE(8) };
    case 1:
      return { type: 'serial-query', version, sessionId: field, serial: b.readUInt32BE(8) };
    case 2:
      return { type: 'reset-query', version };
    case 3:
      return { type: 'cache-response', version, sessionId: field };
    case 4:
    case 6: {
      const v6 = type === 6;
      const flags = b.readUInt8(8);
      const plen = b.readUInt8(9);
      const maxLen = b.readUInt8(10);
      const bytes = Uint8Array.from(b.subarray(12, v6 ? 28 : 16));
      const asn = b.readUInt32BE(v6 ? 28 : 16);
      const width = v6 ? 128 : 32;
      if (plen > width) return fail(RTR_ERROR.corruptData, `prefix length ${plen} exceeds ${width}`);
      const prefix = makePrefix(ipFromBytes(bytes), plen);
      const bad = checkVrp(prefix, maxLen, asn);
      if (bad) return fail(RTR_ERROR.corruptData, bad);
      return {
        type: 'prefix',
        version,
        announce: (flags & 1) === 1,
        vrp: { prefix, maxLength: maxLen, asn },
      };
    }
    case 7: {
      const want = version === 0 ? 12 : 24;
      if (length !== want)
        fail(RTR_ERROR.corruptData, `End of Data v${version} must be ${want} bytes, got ${length}`);
      const serial = b.readUInt32BE(8);
      if (version === 0) return { type: 'end-of-data', version, sessionId: field, serial };
      return {
        type: 'end-of-data',
        version,
        sessionId: field,
        serial,
        timers: { refresh: b.readUInt32BE(12), retry: b.readUInt32BE(16), expire: b.readUInt32BE(20) },
      };
    }
    case 8:
      return { type: 'cache-reset', version };
    case 9:
      // BGPsec router keys (RFC 8210 §5.10): not used for origin validation; the length is checked
      if (version === 0) fail(RTR_ERROR.unsupportedPduType, 'Router Key PDU in version 0');
      if (length < 8 + 20 + 4) fail(RTR_ERROR.corruptData, `Router Key PDU of ${length} bytes is too short`);
      return { type: 'router-key', version };
    case 10: {
      if (length < 16) return fail(RTR_ERROR.corruptData, `Error Report of ${length} bytes is too short`);
      const pduLen = b.readUInt32BE(8);
      if (12 + pduLen + 4 > length)
        return fail(RTR_ERROR.corruptData, 'Error Report: encapsulated PDU overruns');
      const textLen = b.readUInt32BE(12 + pduLen);
      if (16 + pduLen + textLen !== length)
        return fail(RTR_ERROR.corruptData, 'Error Report: text length mismatch');
      return {
        type: 'error-report',
        version,
        code: field,
        pdu: Uint8Array.from(b.subarray(12, 12 + pduLen)),
        text: b.subarray(16 + pduLen, 16 + pduLen + textLen).toString('utf8'),
      };
    }
    default:
      return fail(RTR_ERROR.unsupportedPduType, `PDU type ${type} is not known`);
  }
}
