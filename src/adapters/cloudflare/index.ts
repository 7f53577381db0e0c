// Cloudflare Magic Transit on-demand adapter: driver and pure renderer.
export { CloudflareAdapter } from './adapter.js';
export {
  render,
  coveringPrefix,
  selectPrefix,
  CloudflareRenderError,
  type CloudflarePrefix,
  type CloudflareRendering,
} from './render.js';
