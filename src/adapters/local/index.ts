// Local nftables adapter (the protected server itself): driver, renderer, GeoIP inputs.
export { LocalAdapter, type LocalAdapterOptions } from './adapter.js';
export { render, SUPPORTED_INTENTS, type LocalRendering } from './render.js';
export { NftRenderError } from './terms.js';
export {
  countryNetworks,
  ListGeoIpReader,
  GeoIpError,
  type GeoIpReader,
  type CountryNetworks,
} from './geoip.js';
export { MmdbReader } from './mmdb.js';
export { commandRunner, type CommandRunner } from './exec.js';
