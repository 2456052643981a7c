export type {
  MacAddress,
  Vip,
  AnnounceMode,
  AnnounceSchedule,
  Announcer,
  AddressManager,
  ConflictEvent,
  MacChangeEvent,
} from './types.js';
