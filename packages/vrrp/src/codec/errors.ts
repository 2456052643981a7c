// What encodeAdvert refuses, one stable code each. Decoding never throws: a bad packet from the
// wire is a DecodeResult with a reason (types.ts), because it is the peer's fault, not ours.

export const CODEC_ERROR_CODES = {
  INVALID_VRID: 'a VRID is not an integer 1-255',
  INVALID_PRIORITY: 'a priority is not an integer 0-255',
  INVALID_INTERVAL: 'a max advert interval is not an integer 1-4095 centiseconds',
  INVALID_ADDRESS: 'an address is not IP text of the packet family',
  INVALID_ADDRESS_COUNT: 'an advert carries no address, or more than 255',
  INVALID_FAMILY: 'a packet family is neither 4 nor 6',
} as const;

export type CodecErrorCode = keyof typeof CODEC_ERROR_CODES;

export class VrrpCodecError extends Error {
  override readonly name = 'VrrpCodecError';
  readonly code: CodecErrorCode;

  constructor(code: CodecErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
