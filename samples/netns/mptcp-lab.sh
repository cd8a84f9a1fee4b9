#!/usr/bin/env bash
# mptcp-lab.sh: a real-MPTCP-stack lab in network namespaces, for live tests and committed samples.
#
# Builds a scanner, two (three) Linux routers and a server LAN in fresh network namespaces, runs the
# kernel's own MPTCP stack (RFC 8684 v1; Linux answers RFC 6824 v0 SYNs without MP_CAPABLE), a plain
# TCP host, a closed port, an absent host and (verdicts) an option-stripping router (iptables
# TCPOPTSTRIP), a replaying and a modifying middlebox; sends MP_CAPABLE SYN probes with mpc-probe, and
# records them with tcpdump on the scanner's interface. Tracebox-style TTL-limited probes get real
# ICMP/ICMPv6 time-exceeded quotes (RFC 1812 section 4.3.2.3 / RFC 4443 section 3.3) from the routers.
# Writes OUT.truth.csv (what is at each target) beside the capture. See samples/netns/README.md.
#
# Usage: mptcp-lab.sh foundation OUT.pcap [--probes N] [--seed N]
#        mptcp-lab.sh verdicts   OUT.pcap [--probes N] [--seed N] [--server-capture FILE]
#        mptcp-lab.sh keys       OUT.pcap[.zst] [--connections N] [--seed N]
#        mptcp-lab.sh abtest     OUT.pcap [--probes N] [--seed N]
#
# Environment: MPTCP_LAB_BIN (tools, default build/samples), MPTCP_LAB_PREFIX (namespace name prefix,
# default mptcplab; the run appends -PID-RANDOM), MPTCP_LAB_FAIL_AT=topology|servers|capture|probes
# (fail on purpose at that point: for the cleanup test). Needs root. Every namespace and process it
# creates is removed on exit, failure, SIGINT, SIGTERM and SIGHUP.
# NS_* variables are assigned through printf -v in add_ns.
# shellcheck disable=SC2153
set -euo pipefail

SELF=mptcp-lab
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${MPTCP_LAB_BIN:-$ROOT/build/samples}
PREFIX_BASE=${MPTCP_LAB_PREFIX:-mptcplab}
FAIL_AT=${MPTCP_LAB_FAIL_AT:-}
RUN_ID="$PREFIX_BASE-$$-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"

NAMESPACES=()
declare -A PIDS=() # pid -> name, for processes still to be reaped
WORK=""
CLEANED=0

log() { printf '%s: %s\n' "$SELF" "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

usage() {
	cat <<'EOF'
usage: mptcp-lab.sh foundation OUT.pcap [--probes N] [--seed N]
       mptcp-lab.sh verdicts   OUT.pcap [--probes N] [--seed N] [--server-capture FILE]
       mptcp-lab.sh keys       OUT.pcap[.zst] [--connections N] [--seed N]
       mptcp-lab.sh abtest     OUT.pcap [--probes N] [--seed N]

Builds network namespaces (scanner - router r1 - router r2 - server LAN), runs real kernel MPTCP and
plain TCP listeners, sends MP_CAPABLE SYN probes (build/samples/mpc-probe) and records the scanner's
interface with tcpdump into OUT.pcap; writes the ground truth to OUT.truth.csv beside it.

  foundation  v0 and v1 probes, IPv4 and IPv6, N per target (default 3), each from its own source
              port, to: an MPTCP listener (203.0.113.2 / 2001:db8:3::2, ports 80 and 443), its closed
              port 8080, a plain TCP listener (.3 / ::3, 80 and 443), an absent host (.9 / ::9)
  verdicts    the same targets plus an MPTCP listener behind an option-stripping router
              (.4 / ::4 behind r3; r2 strips TCP option 30 towards it), a replaying middlebox
              (.10 / ::10) and a key-modifying one (.11 / ::11); v0 and v1 probes (N per target,
              default 2) plus TTL/hop-limit 1..4 probes to every target. --server-capture FILE
              also records what arrives at .4 / ::4.
  abtest      A/B probing: plain, v0 and v1 SYNs (N of each per target, default 2, each from its
              own source port) to the foundation's targets plus an MPTCP listener (.6 / ::6) and a
              plain one (.7 / ::7) behind a router that drops SYNs carrying TCP option 30 (r2:
              iptables --tcp-option 30 -j DROP towards them), and a filtered address (.8 / ::8, r2
              drops everything to it)
  keys        N v1 probes (default 3000) to the MPTCP listener, half IPv4 half IPv6, ports 80 and
              443: real kernel keys. OUT ending in .zst is compressed with zstd -19.

  --seed N    seed for mpc-probe (source ports, sequence numbers); default random, logged
  --help      this text

Environment: MPTCP_LAB_BIN, MPTCP_LAB_PREFIX, MPTCP_LAB_FAIL_AT (see the script's header).
Needs root. Cleans up every namespace and process on exit, failure and SIGINT/SIGTERM/SIGHUP.
EOF
}

# ---------------------------------------------------------------- cleanup

is_running() { # true while the process exists and is not a zombie
	local st
	[[ -r /proc/$1/stat ]] || return 1
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[[ -n $st && $st != Z ]]
}

stop_pids() { # stop_pids SIGNAL PID...: signal, wait up to 3 s, then SIGKILL; reap our children
	local sig=$1 pid i
	shift
	for pid in "$@"; do kill "-$sig" "$pid" 2>/dev/null || true; done
	for ((i = 0; i < 30; i++)); do
		local alive=0
		for pid in "$@"; do is_running "$pid" && alive=1; done
		((alive)) || break
		sleep 0.1
	done
	for pid in "$@"; do
		if is_running "$pid"; then
			log "pid $pid ignored SIG$sig, killing it"
			kill -KILL "$pid" 2>/dev/null || true
		fi
		wait "$pid" 2>/dev/null || true
	done
}

cleanup() {
	local rc=$? ns pid left=()
	((CLEANED)) && return 0
	CLEANED=1
	set +e
	trap '' INT TERM HUP
	if ((${#PIDS[@]})); then
		stop_pids TERM "${!PIDS[@]}"
	fi
	# Anything else still inside our namespaces was started by this run (through ip netns exec).
	for ns in "${NAMESPACES[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do left+=("$pid"); done
	done
	((${#left[@]})) && stop_pids TERM "${left[@]}"
	for ((i = ${#NAMESPACES[@]} - 1; i >= 0; i--)); do
		ip netns del "${NAMESPACES[i]}" 2>/dev/null || log "could not delete namespace ${NAMESPACES[i]}"
	done
	[[ -n $WORK && -d $WORK ]] && rm -rf "$WORK"
	((rc)) && log "failed (exit $rc); namespaces ${RUN_ID}-* removed"
	return "$rc"
}
trap cleanup EXIT
trap 'log "interrupted (SIGINT)"; exit 130' INT
trap 'log "terminated (SIGTERM)"; exit 143' TERM
trap 'log "hangup (SIGHUP)"; exit 129' HUP

maybe_fail() {
	if [[ $FAIL_AT == "$1" ]]; then
		log "injected failure at '$1' (MPTCP_LAB_FAIL_AT)"
		false
	fi
}

# ---------------------------------------------------------------- helpers

nsx() { # nsx NS CMD...: run in a namespace
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

start_bg() { # start_bg NAME NS CMD...: start a long-running process in NS, logs to $WORK/NAME.log
	local name=$1 ns=$2 pid
	shift 2
	ip netns exec "$ns" "$@" >"$WORK/$name.log" 2>&1 &
	pid=$!
	PIDS[$pid]=$name
	LAST_PID=$pid
	log "started $name (pid $pid) in $ns"
}

wait_line() { # wait_line PID LOG PATTERN: until LOG shows PATTERN (10 s), or the process died
	local pid=$1 file=$2 pat=$3 i
	for ((i = 0; i < 200; i++)); do
		grep -q -- "$pat" "$file" 2>/dev/null && return 0
		is_running "$pid" || die "${PIDS[$pid]:-pid $pid} exited before '$pat': $(tr '\n' ' ' <"$file")"
		sleep 0.05
	done
	die "timed out waiting for '$pat' from ${PIDS[$pid]:-pid $pid}: $(tr '\n' ' ' <"$file")"
}

run_fg() { # run_fg NAME CMD...: run in the background and wait, so that signals interrupt promptly
	local name=$1 pid
	shift
	"$@" &
	pid=$!
	PIDS[$pid]=$name
	[[ $name == sleep ]] || log "running $name (pid $pid)"
	wait "$pid" || {
		local rc=$?
		unset 'PIDS[$pid]'
		log "$name failed (exit $rc)"
		return "$rc"
	}
	unset 'PIDS[$pid]'
}

nap() { run_fg sleep sleep "$1"; }

stop_one() { # stop_one PID SIGNAL: stop a process we started and reap it
	local pid=$1 sig=$2
	stop_pids "$sig" "$pid"
	unset 'PIDS[$pid]'
}

add_ns() { # add_ns VAR SUFFIX: create namespace RUN_ID-SUFFIX, store its name in VAR
	local ns="$RUN_ID-$2" err
	if ! err=$(ip netns add "$ns" 2>&1); then
		die "cannot create network namespace $ns: ${err:-ip netns add failed}"
	fi
	NAMESPACES+=("$ns")
	printf -v "$1" '%s' "$ns"
	ip -n "$ns" link set lo up
	nsx "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.all.accept_ra=0 >/dev/null
}

veth() { # veth NS1 IF1 NS2 IF2
	ip -n "$1" link add "$2" type veth peer name "$4" netns "$3"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

addr() { # addr NS IF ADDR/LEN [more ip-addr args]
	local ns=$1 dev=$2 a=$3
	shift 3
	if [[ $a == *:* ]]; then
		ip -n "$ns" -6 addr add "$a" dev "$dev" nodad "$@"
	else
		ip -n "$ns" addr add "$a" dev "$dev" "$@"
	fi
}

router_sysctls() {
	nsx "$1" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 >/dev/null
	# per-namespace global ICMP limits exist on newer kernels only
	nsx "$1" sysctl -qw net.ipv4.icmp_msgs_per_sec=100000 net.ipv4.icmp_msgs_burst=100000 \
		>/dev/null 2>&1 || true
}

server_sysctls() {
	nsx "$1" sysctl -qw net.mptcp.enabled=1 >/dev/null ||
		die "cannot set net.mptcp.enabled=1 in $1 (kernel without MPTCP?)"
	nsx "$1" sysctl -qw net.core.somaxconn=4096 net.ipv4.tcp_max_syn_backlog=4096 >/dev/null
}

lan_host() { # lan_host VAR SUFFIX V4 V6 PORTNAME: a host on r2's bridge
	local var=$1 ns
	add_ns "$var" "$2"
	ns=${!var}
	veth "$NS_R2" "$5" "$ns" eth0
	ip -n "$NS_R2" link set "$5" master br0
	addr "$ns" eth0 "$3/24"
	addr "$ns" eth0 "$4/64"
	ip -n "$ns" route add default via 203.0.113.1
	ip -n "$ns" -6 route add default via 2001:db8:3::1
	server_sysctls "$ns"
}

# ---------------------------------------------------------------- topology

build_base() {
	add_ns NS_SCAN scan
	add_ns NS_R1 r1
	add_ns NS_R2 r2

	veth "$NS_SCAN" eth0 "$NS_R1" eth0
	addr "$NS_SCAN" eth0 192.0.2.2/24
	addr "$NS_SCAN" eth0 2001:db8:1::2/64
	ip -n "$NS_SCAN" route add default via 192.0.2.1
	ip -n "$NS_SCAN" -6 route add default via 2001:db8:1::1

	router_sysctls "$NS_R1"
	addr "$NS_R1" eth0 192.0.2.1/24
	addr "$NS_R1" eth0 2001:db8:1::1/64
	veth "$NS_R1" eth1 "$NS_R2" eth0
	addr "$NS_R1" eth1 198.51.100.1/30
	addr "$NS_R1" eth1 2001:db8:2::1/64
	ip -n "$NS_R1" route add 203.0.113.0/24 via 198.51.100.2
	ip -n "$NS_R1" -6 route add 2001:db8:3::/64 via 2001:db8:2::2

	router_sysctls "$NS_R2"
	addr "$NS_R2" eth0 198.51.100.2/30
	addr "$NS_R2" eth0 2001:db8:2::2/64
	ip -n "$NS_R2" route add default via 198.51.100.1
	ip -n "$NS_R2" -6 route add default via 2001:db8:2::1
	ip -n "$NS_R2" link add br0 type bridge stp_state 0 mcast_snooping 0
	ip -n "$NS_R2" link set br0 up
	addr "$NS_R2" br0 203.0.113.1/24
	addr "$NS_R2" br0 2001:db8:3::1/64

	lan_host NS_MPTCP mptcp 203.0.113.2 2001:db8:3::2 lan2
	lan_host NS_PLAIN plain 203.0.113.3 2001:db8:3::3 lan3
	# 203.0.113.9 / 2001:db8:3::9: nobody. r2 resolves it on br0, fails, answers ICMP unreachable.
}

build_verdicts() {
	# r3 behind r2 on its own link; the second MPTCP host .4 behind r3 on a point-to-point link.
	add_ns NS_R3 r3
	router_sysctls "$NS_R3"
	veth "$NS_R2" eth2 "$NS_R3" eth0
	addr "$NS_R2" eth2 198.51.100.5/30
	addr "$NS_R2" eth2 2001:db8:4::5/64
	addr "$NS_R3" eth0 198.51.100.6/30
	addr "$NS_R3" eth0 2001:db8:4::6/64
	ip -n "$NS_R3" route add default via 198.51.100.5
	ip -n "$NS_R3" -6 route add default via 2001:db8:4::5
	ip -n "$NS_R2" route add 203.0.113.4/32 via 198.51.100.6
	ip -n "$NS_R2" -6 route add 2001:db8:3::4/128 via 2001:db8:4::6

	add_ns NS_STRIP mptcp4
	server_sysctls "$NS_STRIP"
	veth "$NS_R3" eth1 "$NS_STRIP" eth0
	addr "$NS_R3" eth1 203.0.113.5/32 peer 203.0.113.4
	addr "$NS_R3" eth1 2001:db8:3::5/128 peer 2001:db8:3::4
	addr "$NS_STRIP" eth0 203.0.113.4/32 peer 203.0.113.5
	addr "$NS_STRIP" eth0 2001:db8:3::4/128 peer 2001:db8:3::5
	ip -n "$NS_STRIP" route add default via 203.0.113.5
	ip -n "$NS_STRIP" -6 route add default via 2001:db8:3::5

	# r2 is the option-stripping middlebox: TCP option 30 (MPTCP) becomes NOPs towards .4.
	nsx "$NS_R2" iptables -t mangle -A FORWARD -d 203.0.113.4 -p tcp -j TCPOPTSTRIP --strip-options 30
	nsx "$NS_R2" ip6tables -t mangle -A FORWARD -d 2001:db8:3::4 -p tcp -j TCPOPTSTRIP --strip-options 30

	lan_host NS_MIRROR mirror 203.0.113.10 2001:db8:3::10 lan10
	lan_host NS_FLIP flip 203.0.113.11 2001:db8:3::11 lan11
	local ns
	for ns in "$NS_MIRROR" "$NS_FLIP"; do
		# the kernel has no listener there and would RST each SYN; the mirror answers instead
		nsx "$ns" iptables -A OUTPUT -p tcp --tcp-flags RST RST -j DROP
		nsx "$ns" ip6tables -A OUTPUT -p tcp --tcp-flags RST RST -j DROP
	done
}

build_abtest() {
	lan_host NS_MPTCP6 mptcp6 203.0.113.6 2001:db8:3::6 lan6
	lan_host NS_PLAIN7 plain7 203.0.113.7 2001:db8:3::7 lan7
	# r2 is the dropping firewall: SYNs carrying option 30 (MPTCP) never reach .6 and .7
	local a
	for a in 203.0.113.6 203.0.113.7; do
		nsx "$NS_R2" iptables -A FORWARD -d "$a" -p tcp --syn --tcp-option 30 -j DROP
	done
	for a in 2001:db8:3::6 2001:db8:3::7; do
		nsx "$NS_R2" ip6tables -A FORWARD -d "$a" -p tcp --syn --tcp-option 30 -j DROP
	done
	# .8: filtered, nothing comes back to any probe
	nsx "$NS_R2" iptables -A FORWARD -d 203.0.113.8 -j DROP
	nsx "$NS_R2" ip6tables -A FORWARD -d 2001:db8:3::8 -j DROP
}

start_servers() {
	start_bg mptcp-listen "$NS_MPTCP" "$BIN/mptcp-listen" 203.0.113.2:80 203.0.113.2:443 \
		'[2001:db8:3::2]:80' '[2001:db8:3::2]:443'
	wait_line "$LAST_PID" "$WORK/mptcp-listen.log" 'listening on \[2001:db8:3::2\]:443 (mptcp)'
	start_bg plain-listen "$NS_PLAIN" "$BIN/mptcp-listen" --plain 203.0.113.3:80 203.0.113.3:443 \
		'[2001:db8:3::3]:80' '[2001:db8:3::3]:443'
	wait_line "$LAST_PID" "$WORK/plain-listen.log" 'listening on \[2001:db8:3::3\]:443 (tcp)'
	if [[ $MODE == verdicts ]]; then
		start_bg mptcp-listen-4 "$NS_STRIP" "$BIN/mptcp-listen" 203.0.113.4:80 203.0.113.4:443 \
			'[2001:db8:3::4]:80' '[2001:db8:3::4]:443'
		wait_line "$LAST_PID" "$WORK/mptcp-listen-4.log" 'listening on \[2001:db8:3::4\]:443 (mptcp)'
		start_bg mirror "$NS_MIRROR" "$BIN/mpc-mirror"
		wait_line "$LAST_PID" "$WORK/mirror.log" '^mirroring'
		start_bg flipper "$NS_FLIP" "$BIN/mpc-mirror" --flip-bytes 2
		wait_line "$LAST_PID" "$WORK/flipper.log" '^mirroring'
	fi
	if [[ $MODE == abtest ]]; then
		start_bg mptcp-listen-6 "$NS_MPTCP6" "$BIN/mptcp-listen" 203.0.113.6:80 '[2001:db8:3::6]:80'
		wait_line "$LAST_PID" "$WORK/mptcp-listen-6.log" 'listening on \[2001:db8:3::6\]:80 (mptcp)'
		start_bg plain-listen-7 "$NS_PLAIN7" "$BIN/mptcp-listen" --plain 203.0.113.7:80 '[2001:db8:3::7]:80'
		wait_line "$LAST_PID" "$WORK/plain-listen-7.log" 'listening on \[2001:db8:3::7\]:80 (tcp)'
	fi
}

# Only what a scanner records: TCP, ICMP and ICMPv6 errors (no ARP, neighbour discovery or MLD).
CAPTURE_FILTER='tcp or icmp or (icmp6 and ip6[40] < 128)'

start_capture() { # start_capture NAME NS IF FILE: tcpdump, waits until it really captures
	local name=$1 ns=$2 dev=$3 file=$4
	start_bg "$name" "$ns" tcpdump -i "$dev" -n -U -Z root -w "$file" "$CAPTURE_FILTER"
	wait_line "$LAST_PID" "$WORK/$name.log" 'listening on'
	CAPTURE_PIDS+=("$LAST_PID")
}

stop_captures() {
	local pid name
	for pid in "${CAPTURE_PIDS[@]}"; do
		name=${PIDS[$pid]}
		stop_one "$pid" INT
		grep -E 'packets (captured|received|dropped)' "$WORK/$name.log" | tr '\n' ' ' |
			sed "s/^/$SELF: $name: /;s/ $/\n/" >&2 || true
		if grep -qE '^[1-9][0-9]* packets dropped by kernel' "$WORK/$name.log"; then
			die "$name dropped packets"
		fi
	done
	CAPTURE_PIDS=()
}

probe() { # probe ARGS...: mpc-probe from the scanner namespace
	run_fg mpc-probe ip netns exec "$NS_SCAN" "$BIN/mpc-probe" "$@"
}

# ---------------------------------------------------------------- targets and truth

V4_MPTCP=(203.0.113.2:80 203.0.113.2:443)
V6_MPTCP=('[2001:db8:3::2]:80' '[2001:db8:3::2]:443')
BASE_TARGETS=(203.0.113.2:80 203.0.113.2:443 203.0.113.2:8080 203.0.113.3:80 203.0.113.3:443
	203.0.113.9:80 203.0.113.9:443
	'[2001:db8:3::2]:80' '[2001:db8:3::2]:443' '[2001:db8:3::2]:8080' '[2001:db8:3::3]:80'
	'[2001:db8:3::3]:443' '[2001:db8:3::9]:80' '[2001:db8:3::9]:443')
VERDICT_TARGETS=(203.0.113.4:80 203.0.113.4:443 203.0.113.10:80 203.0.113.10:443 203.0.113.11:80
	203.0.113.11:443
	'[2001:db8:3::4]:80' '[2001:db8:3::4]:443' '[2001:db8:3::10]:80' '[2001:db8:3::10]:443'
	'[2001:db8:3::11]:80' '[2001:db8:3::11]:443')
ABTEST_TARGETS=(203.0.113.6:80 203.0.113.7:80 203.0.113.8:80
	'[2001:db8:3::6]:80' '[2001:db8:3::7]:80' '[2001:db8:3::8]:80')

TRUTH_HEADER='address,port,ip_version,what,mptcp_service,expect_v0,expect_v1,hops,stripped_by'

truth_rows() { # truth_rows IPVER: one line per target of the current mode
	local v=$1 p a r1 r2 r3 pre
	if [[ $v == 4 ]]; then
		pre=203.0.113. r1=192.0.2.1 r2=198.51.100.2 r3=198.51.100.6
	else
		pre=2001:db8:3:: r1=2001:db8:1::1 r2=2001:db8:2::2 r3=2001:db8:4::6
	fi
	local lan="$r1 $r2"
	for p in 80 443; do
		echo "${pre}2,$p,$v,mptcp-listener,yes,synack-no-mpc,synack-mpc-own-key,$lan,"
	done
	[[ $MODE == keys ]] && return 0
	echo "${pre}2,8080,$v,closed,no,rst,rst,$lan,"
	for p in 80 443; do
		echo "${pre}3,$p,$v,plain-listener,no,synack-no-mpc,synack-no-mpc,$lan,"
	done
	for p in 80 443; do
		echo "${pre}9,$p,$v,absent,no,icmp-unreachable,icmp-unreachable,$lan,"
	done
	if [[ $MODE == abtest ]]; then
		echo "${pre}6,80,$v,mptcp-listener-behind-mpc-dropper,yes,silent,silent,$lan,"
		echo "${pre}7,80,$v,plain-listener-behind-mpc-dropper,no,silent,silent,$lan,"
		echo "${pre}8,80,$v,filtered,no,silent,silent,$lan,"
		return 0
	fi
	[[ $MODE == verdicts ]] || return 0
	for p in 80 443; do
		echo "${pre}4,$p,$v,mptcp-listener-behind-stripper,yes,synack-no-mpc,synack-no-mpc,$lan $r3,$r2"
	done
	for p in 80 443; do
		echo "${pre}10,$p,$v,replaying-middlebox,no,synack-mpc-probe-key,synack-mpc-keyless-replay,$lan,"
	done
	for p in 80 443; do
		echo "${pre}11,$p,$v,modifying-middlebox,no,synack-mpc-key-modified,synack-mpc-keyless-replay,$lan,"
	done
}

write_truth() { # write_truth FILE
	{
		echo "$TRUTH_HEADER"
		truth_rows 4
		truth_rows 6
	} >"$1"
}

# ---------------------------------------------------------------- main

MODE=${1:-}
case $MODE in
-h | --help | help)
	usage
	exit 0
	;;
foundation | verdicts | keys | abtest) ;;
*)
	usage >&2
	exit 2
	;;
esac
shift
[[ $# -ge 1 && $1 != -* ]] || {
	usage >&2
	exit 2
}
OUT=$1
shift
PROBES=""
CONNECTIONS=3000
SEED=""
SERVER_CAPTURE=""
while [[ $# -gt 0 ]]; do
	case $1 in
	--probes)
		PROBES=${2:?--probes needs a number}
		shift 2
		;;
	--connections)
		CONNECTIONS=${2:?--connections needs a number}
		shift 2
		;;
	--seed)
		SEED=${2:?--seed needs a number}
		shift 2
		;;
	--server-capture)
		SERVER_CAPTURE=${2:?--server-capture needs a file}
		shift 2
		;;
	-h | --help)
		usage
		exit 0
		;;
	*)
		usage >&2
		exit 2
		;;
	esac
done
[[ -z $PROBES ]] && { [[ $MODE == verdicts || $MODE == abtest ]] && PROBES=2 || PROBES=3; }
[[ $PROBES =~ ^[1-9][0-9]*$ ]] || die "--probes wants a positive number"
[[ $CONNECTIONS =~ ^[1-9][0-9]*$ && $CONNECTIONS -ge 4 ]] || die "--connections wants a number >= 4"
[[ -z $SEED ]] && SEED=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
[[ $SEED =~ ^[0-9]+$ ]] || die "--seed wants a number"
[[ -n $SERVER_CAPTURE && $MODE != verdicts ]] && die "--server-capture is for verdicts only"

((EUID == 0)) || die "needs root (network namespaces, raw sockets, tcpdump)"
for tool in ip tcpdump iptables ip6tables sysctl; do
	command -v "$tool" >/dev/null || die "$tool not found"
done
for tool in mpc-probe mptcp-listen mpc-mirror; do
	[[ -x $BIN/$tool ]] || die "$BIN/$tool missing: run 'make build/samples/$tool' (or set MPTCP_LAB_BIN)"
done
COMPRESS=0
if [[ $OUT == *.zst ]]; then
	command -v zstd >/dev/null || die "zstd not found"
	COMPRESS=1
fi
OUT_DIR=$(dirname "$OUT")
[[ -d $OUT_DIR ]] || die "output directory $OUT_DIR does not exist"
base=${OUT%.zst}
base=${base%.pcap}
TRUTH="$base.truth.csv"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mptcp-lab.XXXXXX")
CAPTURE_PIDS=()
log "run $RUN_ID: $MODE -> $OUT (seed $SEED)"

build_base
[[ $MODE == verdicts ]] && build_verdicts
[[ $MODE == abtest ]] && build_abtest
maybe_fail topology
start_servers
maybe_fail servers
start_capture tcpdump-scanner "$NS_SCAN" eth0 "$WORK/capture.pcap"
if [[ -n $SERVER_CAPTURE ]]; then
	start_capture tcpdump-at-4 "$NS_STRIP" eth0 "$WORK/at-4.pcap"
fi
maybe_fail capture

case $MODE in
foundation)
	probe --version 0 --count "$PROBES" --seed "$SEED" --sport-range 32768-46883 --log "$WORK/probes-v0.csv" "${BASE_TARGETS[@]}"
	maybe_fail probes
	probe --version 1 --count "$PROBES" --seed "$((SEED + 1))" --sport-range 46884-60999 --log "$WORK/probes-v1.csv" "${BASE_TARGETS[@]}"
	late=4 # r2 gives up resolving the absent host after about 3 s
	;;
verdicts)
	all=("${BASE_TARGETS[@]}" "${VERDICT_TARGETS[@]}")
	probe --version 0 --count "$PROBES" --seed "$SEED" --sport-range 32768-46883 --log "$WORK/probes-v0.csv" "${all[@]}"
	maybe_fail probes
	probe --version 1 --count "$PROBES" --seed "$((SEED + 1))" --sport-range 46884-60999 --log "$WORK/probes-v1.csv" "${all[@]}"
	probe --version 0 --ttl 1-4 --seed "$((SEED + 2))" --sport-range 1024-16383 --log "$WORK/probes-ttl-v0.csv" "${all[@]}"
	probe --version 1 --ttl 1-4 --seed "$((SEED + 3))" --sport-range 16384-32767 --log "$WORK/probes-ttl-v1.csv" "${all[@]}"
	late=4
	;;
abtest)
	all=("${BASE_TARGETS[@]}" "${ABTEST_TARGETS[@]}")
	# one run per kind, disjoint source ports: each answer maps to its probe's kind
	probe --version plain --count "$PROBES" --seed "$SEED" --sport-range 32768-42767 --log "$WORK/probes-plain.csv" "${all[@]}"
	maybe_fail probes
	probe --version 0 --count "$PROBES" --seed "$((SEED + 1))" --sport-range 42768-51767 --log "$WORK/probes-v0.csv" "${all[@]}"
	probe --version 1 --count "$PROBES" --seed "$((SEED + 2))" --sport-range 51768-60999 --log "$WORK/probes-v1.csv" "${all[@]}"
	late=4
	;;
keys)
	per=$(((CONNECTIONS + 3) / 4))
	# zmap style (the option alone): the smallest SYNs and SYN-ACKs, so the capture stays small
	probe --version 1 --style zmap --count "$per" --rate 2000 --seed "$SEED" \
		--log "$WORK/probes-v1.csv" "${V4_MPTCP[@]}" "${V6_MPTCP[@]}"
	maybe_fail probes
	late=1
	;;
esac
nap "$late"
stop_captures

# Hand the results over only when complete.
if ((COMPRESS)); then
	zstd -q -19 -f "$WORK/capture.pcap" -o "$WORK/capture.pcap.zst"
	mv -f "$WORK/capture.pcap.zst" "$OUT.part"
else
	mv -f "$WORK/capture.pcap" "$OUT.part"
fi
mv -f "$OUT.part" "$OUT"
write_truth "$TRUTH.part"
mv -f "$TRUTH.part" "$TRUTH"
if [[ -n $SERVER_CAPTURE ]]; then
	mv -f "$WORK/at-4.pcap" "$SERVER_CAPTURE.part"
	mv -f "$SERVER_CAPTURE.part" "$SERVER_CAPTURE"
fi
log "wrote $OUT ($(stat -c %s "$OUT") bytes) and $TRUTH"
