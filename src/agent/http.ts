// One JSON POST to the controller over HTTP or HTTPS (node:https, so a private CA can be trusted without a
// global setting), with a hard deadline. No retries here: the report loop's queue and breaker own those.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface PostResult {
  readonly status: number;
  readonly body: string;
}

export type Poster = (path: string, body: string) => Promise<PostResult>;

export function httpPoster(opts: {
  url: string;
  key: string;
  ca?: string | Buffer;
  timeoutMs: number;
}): Poster {
  const base = new URL(opts.url);
  if (base.protocol !== 'http:' && base.protocol !== 'https:')
    throw new Error(`agent.controller.url: expected http:// or https://, found "${opts.url}"`);
  const request = base.protocol === 'https:' ? httpsRequest : httpRequest;
  return (path, body) =>
    new Promise((resolve, reject) => {
      const url = new URL(path, base);
      const req = request(
        url,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: `Bearer ${opts.key}`,
          },
          timeout: opts.timeoutMs,
          ...(opts.ca ? { ca: opts.ca } : {}),
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            if (text.length < 8 * 1024 * 1024) text += d;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
}
