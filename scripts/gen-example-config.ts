// Writes floodgate.example.yaml from the config schema.
import { writeFileSync } from 'node:fs';
import { renderExampleConfig } from '../src/config/example.js';

writeFileSync('floodgate.example.yaml', renderExampleConfig());
console.log('wrote floodgate.example.yaml');
