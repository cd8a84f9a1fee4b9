#!/usr/bin/env bash
# test-scale-slurm.sh: live test of docs/scale.md's Slurm recipe on a real, throw-away cluster.
#
# Starts a one-node Slurm cluster of its own: a slurm.conf, a munge key made for the test and
# every state, spool and log directory in a temporary folder; munged, slurmctld and slurmd started
# as root, without systemd, in a network namespace of the test's own (its loopback and
# 192.0.2.10, a documentation address: no port of the machine is used); all of them stopped by
# PID at the end whatever the outcome. Runs the recipes of docs/scale.md as written: a job array
# over the rotation files of a generated capture, then `mpcap merge` under --dependency=afterok;
# the merged directory must equal one `mpcap analyze` of the same files byte for byte. Then a
# shard that fails (a file that is not a capture): the merge job never runs and is cancelled
# (DependencyNeverSatisfied), the user sees why; the task run again, the merge is right.
# TAP output. Not root: "SKIP: needs root", exit 77. Root but the cluster does not start: exit 1.
set -uo pipefail
# shellcheck source=tests/live/scale-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/scale-lib.sh"

PREFIX="mpscale$$u"
live_preflight "$PREFIX"
scale_need munged mungekey munge unmunge slurmctld slurmd sbatch squeue scontrol scancel sinfo \
	zstd editcap nsenter

T=$(mktemp -d "${TMPDIR:-/tmp}/test-scale-slurm.XXXXXX")
chmod 0755 "$T" # munged wants every directory above its socket searchable by all
NS="$PREFIX-slurm"
DAEMONS=()
cleanup() {
	if ((${#DAEMONS[@]})); then
		# jobs first, while slurmctld (the second daemon) is there to cancel them
		[[ -n ${DAEMONS[1]:-} ]] && kill -0 "${DAEMONS[1]}" 2>/dev/null &&
			timeout 20 "${NSENTER[@]}" scancel --user=root >/dev/null 2>&1
		scale_stop "${DAEMONS[@]}"
	fi
	remove_namespaces "$PREFIX" # job steps, if any were left
	[[ -n ${KEEP_TMP:-} ]] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the network: a namespace with loopback and one address (Slurm resolves names with
# AI_ADDRCONFIG, which wants a configured non-loopback address)
if ! { ip netns add "$NS" && ip -n "$NS" link set lo up &&
	ip -n "$NS" link add s0 type veth peer name s1 && ip -n "$NS" addr add 192.0.2.10/24 dev s0 &&
	ip -n "$NS" link set s0 up && ip -n "$NS" link set s1 up; }; then
	fail_setup "cannot create the namespace $NS"
fi
mkdir -p "$T/bin" "$T/log" "$T/state" "$T/spool" "$T/run" "$T/munge-key" "$T/munge-run"
chmod 0700 "$T/munge-key"
chmod 0755 "$T/munge-run"
ln -s "$MPCAP" "$T/bin/mpcap"
NSENTER=(nsenter --net="/run/netns/$NS" env SLURM_CONF="$T/slurm.conf" PATH="$T/bin:$PATH")
in_ns() { "${NSENTER[@]}" "$@"; } # the user's shell on the cluster's login node

# --- munge, with a key of its own
mungekey --create --keyfile="$T/munge-key/munge.key" 2>"$T/log/mungekey.err" ||
	fail_setup "mungekey failed" "$T/log/mungekey.err"
SOCK="$T/munge-run/munge.socket"
"${NSENTER[@]}" munged --foreground --socket="$SOCK" --key-file="$T/munge-key/munge.key" \
	--pid-file="$T/munge-run/munged.pid" --seed-file="$T/munge-key/seed" \
	--log-file="$T/log/munged.log" >"$T/log/munged.out" 2>&1 &
DAEMONS+=($!)
for ((i = 0; i < 50; i++)); do
	munge -S "$SOCK" -n 2>/dev/null | unmunge -S "$SOCK" >/dev/null 2>&1 && break
	sleep 0.2
done
((i < 50)) || fail_setup "munged does not answer" "$T/log/munged.out" "$T/log/munged.log"
ok "munged runs with the test's key"

# --- slurm.conf: one node (this machine as slurmd -C sees it), no accounting, no cgroups, a
# scheduler pass every second instead of every minute
node=$(slurmd -C | head -n 1)
[[ $node == NodeName=* ]] || fail_setup "slurmd -C gives no node line: $node"
cat >"$T/slurm.conf" <<EOF
ClusterName=mpcaptest
SlurmctldHost=$(hostname -s)(192.0.2.10)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$SOCK
CredType=cred/munge
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/run/slurmctld.pid
SlurmdPidFile=$T/run/slurmd.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
SchedulerParameters=sched_interval=1
ReturnToService=2
$node NodeAddr=192.0.2.10 State=UNKNOWN
PartitionName=scan Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
"${NSENTER[@]}" slurmctld -D -i >"$T/log/slurmctld.out" 2>&1 &
DAEMONS+=($!)
"${NSENTER[@]}" slurmd -D >"$T/log/slurmd.out" 2>&1 &
DAEMONS+=($!)
for ((i = 0; i < 150; i++)); do
	[[ $(in_ns sinfo -h -o %T 2>/dev/null) == idle ]] && break
	{ kill -0 "${DAEMONS[1]}" && kill -0 "${DAEMONS[2]}"; } 2>/dev/null || i=150 # one is gone
	sleep 0.2
done
((i < 150)) || fail_setup "the node does not come up idle" "$T/log/slurmctld.out" "$T/log/slurmd.out" \
	"$T/log/slurmctld.log" "$T/log/slurmd.log"
ok "slurmctld and slurmd run; sinfo: $(in_ns sinfo -h | tr -s ' ')"

field() { # field NAME: the value of NAME= in scontrol's one-line records on stdin
	sed -n "s/.* $1=\([^ ]*\).*/\1/p"
}
wait_job() { # wait_job ID STATES SECONDS: until the job's state matches STATES (a regex)
	local i state
	for ((i = 0; i < $3 * 5; i++)); do
		state=$(in_ns scontrol -o show job "$1" 2>/dev/null | field JobState)
		[[ $state =~ ^($2)$ ]] && return 0
		sleep 0.2
	done
	echo "# job $1 still '$state' after $3 s"
	return 1
}
tasks() { # tasks ARRAY: "TASK STATE EXIT" for every task of the array, in task order
	in_ns scontrol -o show job "$1" |
		sed -n 's/.* ArrayTaskId=\([0-9]*\) .* JobState=\([A-Z_]*\) .* ExitCode=\([0-9:]*\).*/\1 \2 \3/p' |
		sort -n
}
submit() { # submit DIR RECIPE: runs the recipe in DIR; prints "Submitted..." then "ids ARRAY"
	{
		scale_recipe "$2" || return 1
		# shellcheck disable=SC2016 # the recipe's variables, expanded where it runs
		echo 'echo "ids ${array:-} ${fixed:-}"'
	} >"$T/$2.sh"
	(cd "$1" && in_ns sh -e "$T/$2.sh")
}
show() { sed 's/^/#   /' "$@"; }

# --- the recipe as written: shard.sh, then the array and the merge behind it
W="$T/work"
mkdir -p "$W"
n=$(scale_capture "$W") || fail_setup "cannot generate the capture"
check "the capture is split into several rotation files ($n)" test "$n" -ge 4
scale_recipe slurm-shard >"$W/shard.sh" || fail_setup "docs/scale.md has no recipe slurm-shard"
echo "# docs/scale.md, slurm-shard (shard.sh):"
show "$W/shard.sh"
echo "# docs/scale.md, slurm-submit:"
scale_recipe slurm-submit | show
out=$(submit "$W" slurm-submit 2>&1)
check_eq "the submission exits 0" "$?" 0
echo "$out" | show
array=$(echo "$out" | sed -n 's/^ids \([0-9]*\).*/\1/p')
merge=$(echo "$out" | sed -n 's/^Submitted batch job \([0-9]*\)$/\1/p')
check "sbatch gave the array's id and the merge's" test -n "$array" -a -n "$merge"
check "the merge job ran" wait_job "$merge" "COMPLETED|FAILED|CANCELLED|TIMEOUT" 90
check_eq "the merge job completed" "$(in_ns scontrol -o show job "$merge" | field JobState)" COMPLETED
last=$(in_ns scontrol -o show job "$array" | field EndTime | sort | tail -n 1)
started=$(in_ns scontrol -o show job "$merge" | field StartTime)
not_before() { [[ -n $1 && -n $2 && ! $1 < $2 ]]; } # timestamps as scontrol writes them
check "the merge started ($started) once the last task had ended ($last)" not_before "$started" "$last"
check_eq "one array task per file, each completed with exit 0" "$(tasks "$array")" \
	"$(for ((i = 0; i < n; i++)); do echo "$i COMPLETED 0:0"; done)"
check_eq "one shard per file" "$(find "$W/shards-2020-07" -mindepth 1 -maxdepth 1 -type d | wc -l)" "$n"
scale_by_file_same "$W" "Slurm"
check "mpcap verify: the merged directory's files agree with its manifest.json" "$MPCAP" verify -q "$W/2020-07"

# --- a shard that fails: task 2's file is not a capture
B="$T/broken"
mkdir -p "$B"
cp -r "$W/scan-2020-07" "$W/shard.sh" "$B/"
# shellcheck disable=SC2012
bad=$(cd "$B" && ls scan-2020-07/rot*.pcap.zst | sort -V | sed -n 3p)
mv "$B/$bad" "$T/saved.pcap.zst"
echo "this is not a capture" >"$B/$bad"
out=$(submit "$B" slurm-submit 2>&1)
check_eq "the submission exits 0" "$?" 0
array=$(echo "$out" | sed -n 's/^ids \([0-9]*\).*/\1/p')
merge=$(echo "$out" | sed -n 's/^Submitted batch job \([0-9]*\)$/\1/p')
# the same merge without --kill-on-invalid-dep: it stays pending
held=$(cd "$B" && in_ns sbatch --parsable --dependency=afterok:"$array" --wrap 'mpcap merge -q -o held shards-2020-07/*')
check "the merge job ends" wait_job "$merge" "COMPLETED|FAILED|CANCELLED|TIMEOUT" 90
job=$(in_ns scontrol -o show job "$merge")
check_eq "with --kill-on-invalid-dep=yes the merge job is cancelled" "$(echo "$job" | field JobState)" CANCELLED
check_eq "because its dependency can never be satisfied" "$(echo "$job" | field Reason)" DependencyNeverSatisfied
not_listed() { ! in_ns squeue -h -j "$1" 2>/dev/null | grep -q .; }
check "squeue no longer lists it" not_listed "$merge"
echo "# what the user sees: scontrol show job $merge"
in_ns scontrol show job "$merge" | head -n 5 | show
check_eq "task 2 failed with mpcap's exit status 1, the others completed" "$(tasks "$array")" \
	"$(for ((i = 0; i < n; i++)); do
		if ((i == 2)); then echo "2 FAILED 1:0"; else echo "$i COMPLETED 0:0"; fi
	done)"
echo "# what the user sees: cat slurm-${array}_2.out"
show "$B/slurm-${array}_2.out"
check "task 2's output holds mpcap's one-line error naming the file" \
	grep -qx "mpcap analyze: $bad: not a capture file .*" "$B/slurm-${array}_2.out"
for ((i = 0; i < 50; i++)); do
	squeue=$(in_ns squeue)
	[[ $squeue == *"(DependencyNeverSatisfied)"* ]] && break
	sleep 0.2
done
echo "# what the user sees: squeue"
echo "$squeue" | show
check "without --kill-on-invalid-dep the merge waits in squeue, (DependencyNeverSatisfied)" \
	grep -Eq "^ *$held .* PD .*\(DependencyNeverSatisfied\)$" <<<"$squeue"
in_ns scancel "$held"
check "scancel removes it" wait_job "$held" CANCELLED 30
check "nothing was merged" test ! -e "$B/2020-07" -a ! -e "$B/held"

# --- the file fixed, task 2 run again and the merge behind it
mv "$T/saved.pcap.zst" "$B/$bad"
echo "# docs/scale.md, slurm-resubmit:"
scale_recipe slurm-resubmit | show
out=$(submit "$B" slurm-resubmit 2>&1)
check_eq "the resubmission exits 0" "$?" 0
fixed=$(echo "$out" | sed -n 's/^ids  *\([0-9]*\).*/\1/p')
merge=$(echo "$out" | sed -n 's/^Submitted batch job \([0-9]*\)$/\1/p')
check "the merge job ran" wait_job "$merge" "COMPLETED|FAILED|CANCELLED|TIMEOUT" 90
check_eq "the merge job completed" "$(in_ns scontrol -o show job "$merge" | field JobState)" COMPLETED
check_eq "task 2 alone ran again" "$(tasks "$fixed")" "2 COMPLETED 0:0"
scale_same "after the rerun, the merge equals one analyze of the rotation files" "$W/single" "$B/2020-07"

# --- nothing outlives the test
in_ns scancel --user=root
scale_stop "${DAEMONS[@]}"
DAEMONS=()
check_eq "no process left in the test's namespace" "$(scale_ns_procs "$NS")" ""
tap_finish
