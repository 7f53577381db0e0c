// The flow section: UDP listeners, which exporters are believed and under which node name, and the bounds that
// keep forged exports from exhausting memory or opening attacks (docs/flow-hardening.md).
import { z } from 'zod';
import { DEFAULT_FLOW_LIMITS } from '../flow/limits.js';
import { DEFAULT_SCREEN } from '../flow/screen.js';
import { tryParsePrefix } from '../net/index.js';

/** An address or prefix (host bits may be set: "10.0.0.1/24" means the /24 the exporter sits in). */
const prefixTextSchema = z
  .string()
  .refine((s) => tryParsePrefix(s, { strict: false }) !== undefined, {
    message: 'expected an IPv4/IPv6 address or prefix such as 10.0.0.1 or 10.0.0.0/24',
  })
  .describe('IPv4 or IPv6 address or prefix.');

export const flowListenerSchema = z
  .object({
    protocol: z
      .enum(['netflow', 'sflow'])
      .describe('netflow accepts NetFlow v5/v9 and IPFIX (recognised by content); sflow accepts sFlow v5.'),
    address: z.string().default('0.0.0.0').describe('Address to bind ("::" for IPv6 and IPv4).'),
    port: z.number().int().min(0).max(65535).describe('UDP port.'),
  })
  .strict();

const count = (d: number, help: string) => z.number().int().min(1).default(d).describe(help);
const L = DEFAULT_FLOW_LIMITS;

const limitsSchema = z
  .object({
    maxTemplateFields: count(
      L.maxTemplateFields,
      'Fields in one NetFlow v9 / IPFIX (options) template; a longer one is refused (template-too-large).',
    ),
    maxTemplatesPerExporter: count(L.maxTemplatesPerExporter, 'Templates held per exporter.'),
    maxTemplateBytesPerExporter: count(
      L.maxTemplateBytesPerExporter,
      'Wire octets of the templates held per exporter.',
    ),
    maxTemplatesTotal: count(L.maxTemplatesTotal, 'Templates held by all exporters together.'),
    maxTemplateBytesTotal: count(L.maxTemplateBytesTotal, 'Wire octets of all templates held.'),
    templateTimeoutMs: count(
      L.templateTimeoutMs,
      'Template lifetime (RFC 7011 §8.4): a template not refreshed by its exporter within it is discarded.',
    ),
    maxExporters: count(
      L.maxExporters,
      'Exporters tracked. When full, the least recently seen exporter idle for exporterIdleMs is evicted; if none is, the new one is refused (counted).',
    ),
    exporterIdleMs: count(L.exporterIdleMs, 'Idle time after which an exporter may be evicted.'),
    maxPendingSets: count(L.maxPendingSets, 'Data sets held per exporter while their template is unknown.'),
    maxPendingBytesPerExporter: count(
      L.maxPendingBytesPerExporter,
      'Octets of data sets held per exporter while their template is unknown.',
    ),
    maxPendingBytesTotal: count(
      L.maxPendingBytesTotal,
      'Octets of data sets held by all exporters together while their template is unknown.',
    ),
  })
  .strict()
  .prefault({})
  .describe(
    'Memory bounds against forged or runaway template traffic; every refusal is counted per exporter.',
  );

const ceilingSchema = z
  .object({
    maxBps: z
      .number()
      .nonnegative()
      .optional()
      .describe('Most bits/s (sampling applied) this exporter can plausibly report; 0 = no ceiling.'),
    maxPps: z
      .number()
      .nonnegative()
      .optional()
      .describe('Most packets/s (sampling applied) this exporter can plausibly report; 0 = no ceiling.'),
  })
  .strict();

const plausibilitySchema = z
  .object({
    maxSamplingRate: z
      .number()
      .int()
      .min(1)
      .default(DEFAULT_SCREEN.maxSamplingRate)
      .describe(
        'Highest believable 1:N sampling rate. Records claiming more are quarantined (counted, not fed to detection) and the exporter is flagged implausible.',
      ),
    rateChangeHoldMs: z
      .number()
      .int()
      .nonnegative()
      .default(DEFAULT_SCREEN.rateChangeHoldMs)
      .describe(
        'After an exporter changes its sampling rate mid-stream, its records are quarantined this long.',
      ),
    maxBps: z
      .number()
      .nonnegative()
      .default(1e12)
      .describe('Ceiling in bits/s for any exporter not listed under exporters (0 = none).'),
    maxPps: z
      .number()
      .nonnegative()
      .default(1.5e9)
      .describe('Ceiling in packets/s for any exporter not listed under exporters (0 = none).'),
    exporters: z
      .record(prefixTextSchema, ceilingSchema)
      .default({})
      .describe(
        'Ceilings per exporter address or prefix (longest prefix wins), e.g. "10.0.0.1": { maxBps: 4e10 }.',
      ),
    interfaceSpeedFactor: z
      .number()
      .min(1)
      .default(DEFAULT_SCREEN.interfaceSpeedFactor)
      .describe(
        'An sFlow exporter that reports interface counters is also capped at the sum of its ifSpeed times this factor.',
      ),
    windowMs: z
      .number()
      .int()
      .min(100)
      .default(DEFAULT_SCREEN.windowMs)
      .describe('Window over which an exporter’s reported rate is compared with its ceiling.'),
    flaggedForMs: z
      .number()
      .int()
      .nonnegative()
      .default(DEFAULT_SCREEN.flaggedForMs)
      .describe(
        'An exporter stays flagged implausible this long after its last offence; an attack seen only by flagged nodes needs a second node before it is mitigated.',
      ),
  })
  .strict()
  .prefault({})
  .describe('What an exporter may claim before its records count as invalid.');

export const flowSchema = z
  .object({
    listeners: z
      .array(flowListenerSchema)
      .default([
        { protocol: 'netflow', address: '0.0.0.0', port: 2055 },
        { protocol: 'netflow', address: '0.0.0.0', port: 4739 },
        { protocol: 'sflow', address: '0.0.0.0', port: 6343 },
      ])
      .describe('UDP flow listeners. Defaults: NetFlow/IPFIX on 2055 and 4739, sFlow on 6343.'),
    exporters: z
      .array(prefixTextSchema)
      .default([])
      .describe(
        'Exporter allowlist (UDP source addresses or prefixes; for sFlow relayed through another host, list the relay). Empty = accept any source, which lets anyone who can send a UDP datagram open attacks: set it when mitigation is live.',
      ),
    nodes: z
      .record(prefixTextSchema, z.string().min(1).max(64))
      .default({})
      .describe(
        'Node name per exporter address or prefix (longest prefix wins), e.g. "10.0.0.0/24": pop-ams. Attacks seen by several nodes count as corroborated. Default: each exporter is its own node, named by its address (sFlow: the agent address).',
      ),
    samplingOverrides: z
      .record(z.string(), z.number().int().min(1))
      .default({})
      .describe('Sampling rate per exporter address, for exporters that never report it.'),
    receiveBufferBytes: z
      .number()
      .int()
      .min(65536)
      .default(4 * 1024 * 1024)
      .describe('Socket receive buffer asked for (bounded by net.core.rmem_max).'),
    packetLength: z
      .enum(['ip', 'frame'])
      .default('ip')
      .describe(
        "Bytes of an sFlow sampled packet (and of raw pcap traffic): 'ip' = the IP length from the packet's header, as thresholds in bits/s mean (FastNetMon's sflow_read_packet_length_from_ip_header); 'frame' = the frame length the agent reports (Ethernet header and FCS included).",
      ),
    workers: z
      .union([z.number().int().min(0).max(64), z.literal('auto')])
      .default(0)
      .describe(
        "Decode worker threads. 0 = receive and decode on the main thread. 1 = one worker receives and decodes. N ≥ 2 = worker 0 receives and hands each exporter's datagrams (by UDP source) to the one of the other N − 1 that owns it; workers decode and pre-aggregate sFlow samples, the main thread only counts (docs/performance.md). 'auto' = cores − 1, at least 2. Ignored (0) while forensics.enabled.",
      ),
    receiver: z
      .enum(['auto', 'native', 'dgram'])
      .default('auto')
      .describe(
        "How the listeners receive: 'native' = batches of up to 64 datagrams per recvmmsg(2) call from a receive thread per socket (Linux; the addon npm install builds in native/build), 'dgram' = node:dgram, one callback per datagram. 'auto' = native when the addon loaded, else dgram. 'native' without the addon refuses to start. With flow.workers ≥ 1 the receiving worker uses it (docs/performance.md, Receive path).",
      ),
    limits: limitsSchema,
    plausibility: plausibilitySchema,
  })
  .strict()
  .prefault({});
