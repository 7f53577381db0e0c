import { describe, expect, it } from 'vitest';
import { canDeploy, newWindow, nextSlot, recordDeployment } from './rate-limit.js';

describe('sliding window', () => {
  it('admits 30 in a minute, then the 31st when the oldest has left the window', () => {
    const w = newWindow();
    for (let i = 0; i < 30; i++) {
      expect(canDeploy(w, 1000 + i, 30, 60000)).toBe(true);
      recordDeployment(w, 1000 + i, 60000, 30);
    }
    expect(canDeploy(w, 1030, 30, 60000)).toBe(false);
    expect(nextSlot(w, 1030, 30, 60000)).toBe(61000);
    expect(canDeploy(w, 60999, 30, 60000)).toBe(false);
    expect(canDeploy(w, 61000, 30, 60000)).toBe(true);
  });
});

describe('sliding window bounds', () => {
  it('keeps O(limit) times however many deployments pass', () => {
    const w = newWindow();
    for (let i = 0; i < 100_000; i++)
      if (canDeploy(w, i * 10, 5, 60000)) recordDeployment(w, i * 10, 60000, 5);
    expect(w.times.length).toBeLessThan(200);
    expect(nextSlot(w, 999_990, 5, 60000)).toBeGreaterThan(999_990);
  });
});
