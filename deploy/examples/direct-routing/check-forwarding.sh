#!/bin/sh
# vipd script tracker (no shell features needed by vipd; this is just a shell script):
# exit 0 while this director can forward to the real servers, non-zero otherwise.
# Checks that the nftables table with the MAC-rewrite rule is loaded; with IPVS, check
# `ipvsadm -Ln` for the virtual service instead.
exec nft list table netdev vipd_dr >/dev/null 2>&1
