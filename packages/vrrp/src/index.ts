// @vipd/vrrp: RFC 5798 VRRPv3 on the wire — the advert codec, the per-interface transport and
// the pure state machine of one virtual router. The daemon drives it for groups with `vrrp:`.
export {};
