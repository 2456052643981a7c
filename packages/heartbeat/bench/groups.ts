// The group states every bench node carries, so the codec is measured on the same frame the
// mesh nodes send: `count` groups, all BACKUP at priority 100, epoch 1, no master named.

import type { WireGroupState } from '../src/index.js';

export function benchGroups(count: number): Record<string, WireGroupState> {
  const groups: Record<string, WireGroupState> = {};
  for (let i = 0; i < count; i++) {
    groups[`vip-group-${String(i).padStart(2, '0')}`] = {
      priority: 100,
      state: 'BACKUP',
      epoch: 1,
    };
  }
  return groups;
}
