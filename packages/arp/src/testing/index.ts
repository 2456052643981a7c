// @vipd/arp/testing: in-memory doubles of the interfaces @vipd/arp implements, for the
// daemon's tests. They record every call and behave like the real thing wherever the daemon
// can observe it. The clock to drive them with is @vipd/clock's createManualClock.
export { createRecordingAnnouncer } from './recording-announcer.js';
export type { RecordingAnnouncer, AnnouncerCall } from './recording-announcer.js';
export { createMemoryAddressManager } from './memory-address-manager.js';
export type { MemoryAddressManager, AddressCall } from './memory-address-manager.js';
export { createRecordingSender } from './recording-sender.js';
export type { RecordingSender } from './recording-sender.js';
export { createFakeConflictWatch } from './fake-conflict-watch.js';
export type { FakeConflictWatch } from './fake-conflict-watch.js';
export { createFakeMacWatch } from './fake-mac-watch.js';
export type { FakeMacWatch } from './fake-mac-watch.js';
export { withoutAddressProtocol } from './without-address-protocol.js';
