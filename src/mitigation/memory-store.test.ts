import { describe } from 'vitest';
import { storeContract } from '../store/store-contract.js';
import { MemoryStore } from './memory-store.js';

describe('MemoryStore (test double) keeps the store contract', () => {
  storeContract(async () => new MemoryStore());
});
