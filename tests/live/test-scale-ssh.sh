#!/usr/bin/env bash
# test-scale-ssh.sh: live test of docs/scale.md's GNU parallel recipes over ssh, on real sshd.
#
# Two nodes, each a network namespace of the test's own joined by a veth pair to a third, "here"
# (documentation addresses 198.51.100.0/24 and 203.0.113.0/24), each running sshd with its own
# sshd_config and host key; the client logs in with a key made for the test, through its own ssh
# config given in $PARALLEL_SSH (nothing in /etc/ssh or /root/.ssh is changed). Each sshd runs
# in a mount namespace where the test's working directory and /root are empty tmpfs: a job can
# only read the file parallel transferred and the test only sees the shard parallel returned.
# The recipes are taken from docs/scale.md (by file, the by-target filters, by target) and run as
# written; the merged directory must equal one `mpcap analyze` over the same input, byte for byte.
# TAP output. Not root: "SKIP: needs root", exit 77. Root but no namespace or no sshd: exit 1.
set -uo pipefail
# shellcheck source=tests/live/scale-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/scale-lib.sh"

PREFIX="mpscale$$s"
live_preflight "$PREFIX"
scale_need sshd ssh ssh-keygen parallel rsync perl zstd editcap nsenter unshare
SSHD=$(command -v sshd) # sshd re-executes itself: it must be started by its absolute path

T=$(mktemp -d "${TMPDIR:-/tmp}/test-scale-ssh.XXXXXX")
HERE="$PREFIX-here"
SSHD_PIDS=()
cleanup() {
	((${#SSHD_PIDS[@]} == 0)) || scale_stop "${SSHD_PIDS[@]}"
	remove_namespaces "$PREFIX"
	[[ -n ${KEEP_TMP:-} ]] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the network: here <-> node1, here <-> node2
for ns in here n1 n2; do
	ip netns add "$PREFIX-$ns" || fail_setup "cannot create namespace $PREFIX-$ns"
	ip -n "$PREFIX-$ns" link set lo up
done
declare -A ADDR=([node1]=198.51.100.2 [node2]=203.0.113.2)
if ! { ip -n "$HERE" link add v1 type veth peer name eth0 netns "$PREFIX-n1" &&
	ip -n "$HERE" link add v2 type veth peer name eth0 netns "$PREFIX-n2" &&
	ip -n "$HERE" addr add 198.51.100.1/24 dev v1 && ip -n "$HERE" link set v1 up &&
	ip -n "$HERE" addr add 203.0.113.1/24 dev v2 && ip -n "$HERE" link set v2 up &&
	ip -n "$PREFIX-n1" addr add "${ADDR[node1]}/24" dev eth0 && ip -n "$PREFIX-n1" link set eth0 up &&
	ip -n "$PREFIX-n2" addr add "${ADDR[node2]}/24" dev eth0 && ip -n "$PREFIX-n2" link set eth0 up; }; then
	fail_setup "cannot build the veth pairs"
fi

# --- keys and configs, all in $T: a client key, a host key per node, the node's sshd_config
# (mpcap on the PATH of its sessions, as if installed there), the client's config and known_hosts
mkdir -p "$T/ssh" "$T/bin" "$T/home" "$T/here"
ln -s "$MPCAP" "$T/bin/mpcap"
ssh-keygen -q -t ed25519 -N '' -C mpcap-test -f "$T/ssh/id" || fail_setup "ssh-keygen failed"
cp "$T/ssh/id.pub" "$T/ssh/authorized_keys"
: >"$T/ssh/known_hosts"
for node in node1 node2; do
	ssh-keygen -q -t ed25519 -N '' -C "$node" -f "$T/ssh/host-$node" || fail_setup "ssh-keygen failed"
	cat >"$T/ssh/sshd-$node.conf" <<-EOF
		ListenAddress ${ADDR[$node]}
		HostKey $T/ssh/host-$node
		PidFile none
		AuthorizedKeysFile $T/ssh/authorized_keys
		PermitRootLogin prohibit-password
		PubkeyAuthentication yes
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		UsePAM no
		StrictModes no
		SetEnv PATH=$T/bin:/usr/local/bin:/usr/bin:/bin
	EOF
	echo "${ADDR[$node]} $(cut -d' ' -f1,2 "$T/ssh/host-$node.pub")" >>"$T/ssh/known_hosts"
done
cat >"$T/ssh/config" <<EOF
Host node1
    HostName ${ADDR[node1]}
Host node2
    HostName ${ADDR[node2]}
Host *
    User root
    IdentityFile $T/ssh/id
    IdentitiesOnly yes
    UserKnownHostsFile $T/ssh/known_hosts
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
    BatchMode yes
    ConnectTimeout 10
EOF

# --- the nodes' sshd: own network namespace, and a mount namespace hiding /root and $T/here
node_sshd() { # node_sshd NODE SSHD-ARGS...: becomes sshd as NODE sees the world (run it in a subshell)
	local node=$1
	shift
	# shellcheck disable=SC2016 # expanded by the inner sh
	exec nsenter --net="/run/netns/$PREFIX-n${node#node}" unshare --mount --propagation private sh -c '
		mount -t tmpfs -o mode=0700 tmpfs /root && mount -t tmpfs -o mode=0700 tmpfs "$1" &&
		mount -t tmpfs -o mode=0755 tmpfs /run && mkdir -m 0755 /run/sshd && shift && exec "$@"' \
		sh "$T/here" "$SSHD" -f "$T/ssh/sshd-$node.conf" "$@"
}
for node in node1 node2; do
	(node_sshd "$node" -t) 2>"$T/sshd-$node.log" || fail_setup "sshd refuses its config" "$T/sshd-$node.log"
	node_sshd "$node" -D -e >"$T/sshd-$node.log" 2>&1 &
	SSHD_PIDS+=($!)
done

# here CMD...: CMD as the user of the recipes, on the "here" machine (HOME in $T)
here() {
	nsenter --net="/run/netns/$HERE" env HOME="$T/home" PATH="$T/bin:$PATH" \
		PARALLEL_SSH="ssh -F $T/ssh/config" "$@"
}

for node in node1 node2; do
	for ((i = 0; i < 100; i++)); do
		here ssh -F "$T/ssh/config" "$node" true 2>"$T/ssh-$node.err" && break
		sleep 0.2
	done
	((i < 100)) || fail_setup "sshd on $node (${ADDR[$node]}) does not let the test log in" \
		"$T/ssh-$node.err" "$T/sshd-$node.log"
	ok "sshd on $node (${ADDR[$node]}, namespace $PREFIX-${node/node/n}) accepts the test's key"
done
check_eq "node1 runs the same mpcap" "$(here ssh -F "$T/ssh/config" node1 mpcap --version 2>&1)" "$("$MPCAP" --version 2>&1)"

# --- by file
W="$T/here/by-file"
mkdir -p "$W"
n=$(scale_capture "$W") || fail_setup "cannot generate the capture"
check "the capture is split into several rotation files ($n)" test "$n" -ge 4
check "node1 does not see the test's files" here ssh -F "$T/ssh/config" node1 "! test -e $W/scan-2020-07"
run_recipe() { # run_recipe NAME DIR: the recipe, as the doc has it, run in DIR; joblog in $T/NAME.jobs
	scale_recipe "$1" >"$T/$1.sh" || fail_setup "docs/scale.md has no recipe $1"
	echo "# docs/scale.md, $1:"
	sed 's/^/#   /' "$T/$1.sh"
	(cd "$2" && PARALLEL="--joblog $T/$1.jobs" here sh -e "$T/$1.sh") >"$T/$1.out" 2>&1
	check_eq "the $1 recipe exits 0" "$?" 0
	sed 's/^/# /' "$T/$1.out"
	sed 's/^/# joblog: /' "$T/$1.jobs"
}
run_recipe ssh-by-file "$W"
jobs_ok() { # jobs_ok JOBLOG WANT: WANT jobs, each on node1 or node2, exit 0, bytes sent and received
	awk -F'\t' -v want="$2" 'NR > 1 {
			n++
			if (($2 == "node1" || $2 == "node2") && $7 == 0 && $5 > 0 && $6 > 0) good++
			host[$2] = 1
		}
		END { exit !(n == want && good == n && ("node1" in host) && ("node2" in host)) }' "$1"
}
check "$n jobs ran on node1 and node2, each sent its file and got its shard back, exit 0" \
	jobs_ok "$T/ssh-by-file.jobs" "$n"
check_eq "every shard came back" "$(find "$W/shards-2020-07" -mindepth 1 -maxdepth 1 -type d | wc -l)" "$n"
check_eq "the inputs are still here" "$(find "$W/scan-2020-07" -name 'rot_*.pcap.zst' | wc -l)" "$n"
for node in node1 node2; do
	check_eq "--cleanup left nothing in $node's work directories" \
		"$(here ssh -F "$T/ssh/config" "$node" 'find .parallel/tmp -mindepth 1 -maxdepth 1 2>/dev/null')" ""
done
scale_by_file_same "$W" "by file over ssh"

# this machine as ':' with --workdir ...: the job runs in an empty directory, as the doc says
# shellcheck disable=SC2012
(cd "$W" && ls scan-2020-07/rot*.pcap.zst | sort -V | head -n 1 |
	here parallel --sshlogin : --workdir ... --transferfile {} --return local1 --cleanup \
		'mpcap analyze -q -o local1 {}') >"$T/local.out" 2>&1
check "with ':' in --sshlogin the job fails" test "$?" -ne 0
check "and mpcap says it has no file" grep -q "No such file or directory" "$T/local.out"
sed 's/^/# /' "$T/local.out" # what the user sees

# --- by target: the doc's filters.txt, one job per filter over the whole capture
W="$T/here/by-target"
mkdir -p "$W"
zstd -q -c "$T/here/by-file/cap.pcap" >"$W/scan-2020-07.pcap.zst"
scale_recipe filters >"$W/filters.txt" || fail_setup "docs/scale.md has no recipe filters"
check_eq "filters.txt holds two filters" "$(wc -l <"$W/filters.txt")" 2
run_recipe ssh-by-target "$W"
check "2 jobs ran on node1 and node2, each got the capture and returned its shard, exit 0" \
	jobs_ok "$T/ssh-by-target.jobs" 2
"$MPCAP" analyze -q -o "$W/single" "$W/scan-2020-07.pcap.zst"
scale_same "by target over ssh: the merge equals one analyze of the capture" "$W/single" "$W/2020-07"
check_eq "the filters took every packet exactly once" \
	"$(($(scale_total "$W/tgt1") + $(scale_total "$W/tgt2")))" "$(scale_total "$W/single")"

scale_doc_all_run

# --- nothing outlives the test
scale_stop "${SSHD_PIDS[@]}"
SSHD_PIDS=()
check_eq "no process left in the test's namespaces" \
	"$(scale_ns_procs "$HERE" "$PREFIX-n1" "$PREFIX-n2")" ""
tap_finish
