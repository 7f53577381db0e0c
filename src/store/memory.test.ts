import { describe } from 'vitest';
import { storeContract } from './store-contract.js';
import { MemoryStore } from './memory.js';

describe('MemoryStore (test double) keeps the store contract', () => {
  storeContract(async () => new MemoryStore());
});
