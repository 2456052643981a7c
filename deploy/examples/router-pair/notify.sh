#!/bin/sh
# vipd notify hook: runs on every state change of a group, with the details in the
# environment. It must finish within notify.timeout; vipd runs hooks in order per group and
# never waits for them in its election loop.
logger -t vipd-notify -- \
  "node=${VIPD_NODE} group=${VIPD_GROUP} ${VIPD_OLD_STATE} -> ${VIPD_NEW_STATE} epoch=${VIPD_EPOCH} reason=${VIPD_REASON}"
