// keepalived.conf files of the shapes keepalived's own doc/samples show (a VRRP pair with
// scripts, track_interface, sync groups, IPv6, unicast, includes, conditional lines), written
// for these tests. dynamic_interfaces lets `keepalived --config-test` check them on a host
// without eth0/eth1 (keepalived-accepts.test).

import { tempDir, type TempDir } from '../tmpdir.js';

/** The primary of a web pair: includes, comments, quoted strings, nested blocks, unicast. */
export const WEB_PAIR_MAIN = `! Configuration File for keepalived
# the primary of the web pair

global_defs {
   router_id lb-1
   vrrp_version 3
   dynamic_interfaces
   notification_email {
     ops@example.com
   }
   vrrp_garp_master_delay 2
   vrrp_garp_master_repeat 3
}

include conf.d/*.conf

vrrp_sync_group VG_WEB {
  group {
    VI_WEB
    VI_WEB6
  }
  sync_group_tracking_weight
}

vrrp_instance VI_WEB {
    state BACKUP
    interface eth0            # the LAN side
    virtual_router_id 51
    priority 150
    advert_int 0.1
    nopreempt
    preempt_delay 5
    unicast_src_ip 192.0.2.1
    unicast_peer {
        192.0.2.2
    }
    authentication {
        auth_type PASS
        auth_pass "s3cret pass"
    }
    virtual_ipaddress {
        192.0.2.100/24 dev eth0 label eth0:web
        192.0.2.101
        198.51.100.7/24 dev eth1
        192.0.2.102/24 brd 192.0.2.255
    }
    track_interface {
        eth0
        eth1 weight -20
    }
    track_script {
        chk_nginx
        chk_disk weight -30
    }
    notify "/etc/keepalived/notify.sh"
    smtp_alert
}
`;

export const WEB_PAIR_SCRIPTS = `# health checks, included from keepalived.conf
vrrp_script chk_nginx {
    script "/usr/bin/curl -fsS 'http://127.0.0.1/health check'"
    interval 2
    timeout 1
    fall 3
    rise 2
    weight -60
    user nobody
}
vrrp_script chk_disk
{
    script /usr/local/bin/check-disk
}
vrrp_script chk_unused {
    script "/bin/true"
}
`;

export const WEB_PAIR_IPV6 = `vrrp_instance VI_WEB6 {
    interface eth0
    virtual_router_id 52
    priority 150
    advert_int 1
    virtual_ipaddress {
        2001:db8::100/64
        2001:db8::101
    }
    notify_master "/etc/keepalived/master.sh web6"
    notify_backup /etc/keepalived/backup.sh
}
`;

/** One file for both nodes of a pair (keepalived -i lb1 / -i lb2), VRRPv2 by default. */
export const SHARED_PAIR = `$VIP=10.1.0.254
@lb1 $PRIO=150
@lb2 $PRIO=100
global_defs {
@lb1  router_id lb1
@lb2  router_id lb2
  dynamic_interfaces
  enable_script_security
  script_user root
}
vrrp_script chk_haproxy {
  script "pidof haproxy"
  interval 2
}
vrrp_instance VI_0 {
  interface eth0
  virtual_router_id 10
  priority $PRIO
  advert_int 1
  virtual_ipaddress {
    \${VIP}/24 label eth0:vip
  }
  unicast_peer {
@^lb1 192.0.2.1
@^lb2 192.0.2.2
  }
  track_script {
    chk_haproxy weight 10
  }
}
`;

/** Per-state notify scripts, as keepalived.conf.vrrp.scripts shows them. */
export const PER_STATE_NOTIFY = `global_defs {
  vrrp_version 3
  dynamic_interfaces
}
vrrp_instance web {
  interface eth0
  virtual_router_id 7
  virtual_ipaddress {
    192.0.2.50/24
  }
  notify_master "NOTIFY_DIR/record.sh MASTER 'web pair'"
  notify_backup NOTIFY_DIR/record.sh
  notify "NOTIFY_DIR/record.sh generic"
  notify_stop "NOTIFY_DIR/record.sh STOPPED"
}
`;

export interface KeepalivedDir extends TempDir {
  readonly main: string;
}

/** The web pair's three files in a fresh directory. */
export function webPairDir(): KeepalivedDir {
  const dir = tempDir('vipd-ka-');
  dir.file('conf.d/scripts.conf', WEB_PAIR_SCRIPTS);
  dir.file('conf.d/web6.conf', WEB_PAIR_IPV6);
  return { ...dir, main: dir.file('keepalived.conf', WEB_PAIR_MAIN) };
}

export function singleFileDir(text: string): KeepalivedDir {
  const dir = tempDir('vipd-ka-');
  return { ...dir, main: dir.file('keepalived.conf', text) };
}
