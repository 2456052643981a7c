/** One answered probe, as the client saw it. Times are wall-clock epoch ms. */
export interface ProbeReply {
  readonly seq: number;
  readonly sentAtMs: number;
  readonly receivedAtMs: number;
  /** The node that answered ("n1"), or "" when the method cannot tell (ping). */
  readonly node: string;
}

/** The silence between two consecutive replies. */
export interface ReplyGap {
  readonly fromMs: number;
  readonly toMs: number;
  readonly gapMs: number;
  readonly nodeBefore: string;
  readonly nodeAfter: string;
}

/** A run of consecutive replies from the same node. */
export interface ResponderSegment {
  readonly node: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly replies: number;
}

function byReceiveTime(replies: readonly ProbeReply[]): ProbeReply[] {
  return [...replies].sort((a, b) => a.receivedAtMs - b.receivedAtMs);
}

/**
 * The longest silence between consecutive replies that overlaps [fromMs, toMs]: the
 * client-visible outage of a fault injected inside that window. A window with no reply
 * after its start yields a gap that ends at `toMs` and `nodeAfter` "" (never recovered).
 */
export function longestGap(
  replies: readonly ProbeReply[],
  fromMs: number,
  toMs: number,
): ReplyGap | undefined {
  const sorted = byReceiveTime(replies);
  let longest: ReplyGap | undefined;
  const consider = (gap: ReplyGap): void => {
    if (gap.toMs <= fromMs || gap.fromMs >= toMs) return;
    if (longest === undefined || gap.gapMs > longest.gapMs) longest = gap;
  };
  for (let i = 1; i < sorted.length; i += 1) {
    const before = sorted[i - 1]!;
    const after = sorted[i]!;
    consider({
      fromMs: before.receivedAtMs,
      toMs: after.receivedAtMs,
      gapMs: after.receivedAtMs - before.receivedAtMs,
      nodeBefore: before.node,
      nodeAfter: after.node,
    });
  }
  const last = sorted.at(-1);
  if (last !== undefined && last.receivedAtMs < toMs) {
    consider({
      fromMs: last.receivedAtMs,
      toMs,
      gapMs: toMs - last.receivedAtMs,
      nodeBefore: last.node,
      nodeAfter: '',
    });
  }
  return longest;
}

/**
 * The client-visible outage of a fault inside [fromMs, toMs]: the longest span between the
 * send times of two consecutively answered probes with at least one unanswered probe
 * between them. Unlike receive gaps, this ignores moments when the prober itself was not
 * scheduled (nothing sent, nothing lost), which a busy 2-core machine produces. Sequence
 * numbers wrap at `seqModulo` (ping's icmp_seq is 16 bits). Without a reply after the
 * last loss, the outage runs to `toMs` and `nodeAfter` is "".
 */
export function longestOutage(
  replies: readonly ProbeReply[],
  fromMs: number,
  toMs: number,
  seqModulo = 2 ** 32,
): ReplyGap | undefined {
  const sorted = byReceiveTime(replies);
  let longest: ReplyGap | undefined;
  const consider = (gap: ReplyGap): void => {
    if (gap.toMs <= fromMs || gap.fromMs >= toMs) return;
    if (longest === undefined || gap.gapMs > longest.gapMs) longest = gap;
  };
  for (let i = 1; i < sorted.length; i += 1) {
    const before = sorted[i - 1]!;
    const after = sorted[i]!;
    const step = (((after.seq - before.seq) % seqModulo) + seqModulo) % seqModulo;
    if (step <= 1) continue;
    consider({
      fromMs: before.sentAtMs,
      toMs: after.sentAtMs,
      gapMs: after.sentAtMs - before.sentAtMs,
      nodeBefore: before.node,
      nodeAfter: after.node,
    });
  }
  const last = sorted.at(-1);
  if (last !== undefined && last.sentAtMs < toMs - 1_000) {
    // Nothing answered during the last second of the window: still out.
    consider({
      fromMs: last.sentAtMs,
      toMs,
      gapMs: toMs - last.sentAtMs,
      nodeBefore: last.node,
      nodeAfter: '',
    });
  }
  return longest;
}

/**
 * The longest time the prober itself sent nothing (two consecutive sequence numbers, both
 * answered, sent that far apart) overlapping [fromMs, toMs]: a starved client, during which
 * longestOutage cannot see an outage at all. 0 without such a pair.
 */
export function longestSendStall(
  replies: readonly ProbeReply[],
  fromMs: number,
  toMs: number,
): number {
  const bySeq = [...replies].sort((a, b) => a.seq - b.seq);
  let longest = 0;
  for (let i = 1; i < bySeq.length; i += 1) {
    const before = bySeq[i - 1]!;
    const after = bySeq[i]!;
    if (after.seq - before.seq !== 1 || after.sentAtMs <= fromMs || before.sentAtMs >= toMs) {
      continue;
    }
    longest = Math.max(longest, after.sentAtMs - before.sentAtMs);
  }
  return longest;
}

/**
 * Every client-visible outage of at least `minMs` (send-time spans around lost probes, as in
 * longestOutage), in order; a silence until `endMs` longer than `minMs` counts as one too.
 */
export function outages(
  replies: readonly ProbeReply[],
  minMs: number,
  endMs: number,
  seqModulo = 2 ** 32,
): ReplyGap[] {
  const sorted = byReceiveTime(replies);
  const found: ReplyGap[] = [];
  for (let i = 1; i < sorted.length; i += 1) {
    const before = sorted[i - 1]!;
    const after = sorted[i]!;
    const step = (((after.seq - before.seq) % seqModulo) + seqModulo) % seqModulo;
    const gapMs = after.sentAtMs - before.sentAtMs;
    if (step <= 1 || gapMs < minMs) continue;
    found.push({
      fromMs: before.sentAtMs,
      toMs: after.sentAtMs,
      gapMs,
      nodeBefore: before.node,
      nodeAfter: after.node,
    });
  }
  const last = sorted.at(-1);
  if (last !== undefined && endMs - last.sentAtMs >= minMs) {
    found.push({
      fromMs: last.sentAtMs,
      toMs: endMs,
      gapMs: endMs - last.sentAtMs,
      nodeBefore: last.node,
      nodeAfter: '',
    });
  }
  return found;
}

/**
 * Who answered, in the order the probes were sent: one segment per change of responder.
 * Which node answers a probe is fixed when it is sent (the MAC in the client's neighbour
 * entry), so send order is the client's view of where the VIP lives. Receive order is not: a
 * probe the old master had in its socket when the VIP moved is answered a few ms after the
 * new master's first replies (seen in CI under load: 4 ms late), which would read as the VIP
 * moving back and forth.
 */
export function responderSegments(replies: readonly ProbeReply[]): ResponderSegment[] {
  const segments: ResponderSegment[] = [];
  const bySendTime = [...replies].sort((a, b) => a.sentAtMs - b.sentAtMs);
  for (const reply of bySendTime) {
    const current = segments.at(-1);
    if (current?.node === reply.node) {
      segments[segments.length - 1] = {
        ...current,
        toMs: Math.max(current.toMs, reply.receivedAtMs),
        replies: current.replies + 1,
      };
    } else {
      segments.push({
        node: reply.node,
        fromMs: reply.receivedAtMs,
        toMs: reply.receivedAtMs,
        replies: 1,
      });
    }
  }
  return segments;
}

/** The first reply from `node` received at or after `afterMs`. */
export function firstReplyFrom(
  replies: readonly ProbeReply[],
  node: string,
  afterMs: number,
): ProbeReply | undefined {
  return byReceiveTime(replies).find((r) => r.node === node && r.receivedAtMs >= afterMs);
}

/** Replies received inside [fromMs, toMs). */
export function repliesBetween(
  replies: readonly ProbeReply[],
  fromMs: number,
  toMs: number,
): ProbeReply[] {
  return replies.filter((r) => r.receivedAtMs >= fromMs && r.receivedAtMs < toMs);
}

/** The median of a non-empty list (mean of the middle two for even lengths). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
