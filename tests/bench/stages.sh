#!/bin/bash
# stages.sh — for `make bench`: where one command's CPU time goes, per stage of
# mpcap's per-packet path, in nanoseconds of CPU per packet.  Runs the command
# once under `perf record` (cpu-clock samples at FREQ Hz, every thread; Debian's
# linux-perf) and files each sampled function under a stage by its name:
#
#   read     capture.c, pcapng.c, decompression and readahead, libpcap,
#            the kernel's copy of file pages, input hashing (libcrypto), the
#            loop of input.c that hands packets on
#   dissect  dissect.c, link.c, ip.c, tcp.c, mpcapable.c, icmp.c
#   route    scan_part.c: owner, events, the SPSC rings, waking (-j only)
#   set      exact target sets: windows, radix sort, staging, chunks, maps
#   record   records, probe profiles, scanners, kept responses, the final pass
#   write    the outputs: CSV rows, targets.sets, scan.state, manifest, stdio
#   kernel   the rest of the kernel's time: system calls, page faults (this
#            VM's paravirtual kernel shows most of it as pvm_irq_enable)
#   other    the rest: malloc, memcpy, memcmp, the dynamic loader...
#
# A function that several stages call is filed under one (memcpy: other), so
# the split is an estimate; the total is the command's sampled CPU time.
#
#   tests/bench/stages.sh [--header] LABEL PACKETS COMMAND...
# prints one row: LABEL, total, then the stages, each in ns/packet.
set -u
: "${FREQ:=4999}"
if [ "${1:-}" = --header ]; then
	printf "%-40s %7s %7s %7s %7s %7s %7s %7s %7s %7s\n" "ns/packet (CPU, perf)" total read dissect route set \
		record write kernel other
	shift
	[ $# -eq 0 ] && exit 0
fi
label=$1 packets=$2
shift 2
if ! command -v perf >/dev/null 2>&1; then
	printf "%-40s (perf not installed: apt-get install linux-perf)\n" "$label"
	exit 0
fi
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
if ! perf record -q -F "$FREQ" -e cpu-clock -o "$d/perf.data" -- "$@" >/dev/null 2>"$d/err"; then
	printf "%-40s (perf record failed: %s)\n" "$label" "$(head -c 200 "$d/err" | tr '\n' ' ')"
	exit 0
fi
perf report -i "$d/perf.data" --no-children --sort dso,sym -n --stdio 2>/dev/null |
	awk -v label="$label" -v n="$packets" -v f="$FREQ" '
	/^#/ || NF < 4 { next }
	{
		s = $2; dso = $3; sym = $NF
		st = "other"
		if (dso ~ /^lib(crypto|pcap|zstd|z|lzma|bz2)\.so/)
			st = "read"
		else if (dso ~ /^libroaring/)
			st = "write"
		else if (sym ~ /^(capture_|next_fast|next_stream|next_pcap|fast_|stream_|cookie_|raw_read|dec_read|pcap_|pcapng|readahead|decomp|ZSTD|HUF_|FSE_|inflate|lzma|BZ2|hasher|sha256|sha256_block|SHA256|_copy_to_iter|copy_page_to_iter|filemap_|__libc_pread|_IO_file_read|_IO_new_file_underflow|fread|__fread|_IO_fread|_IO_sgetn|_IO_default_xsgetn|input_run|run_file|progress_)/)
			st = "read"
		else if (sym ~ /^(dissect_|tcp_parse|tcp_opts|tcp_mpc|memo_|ip_parse|parse_v4|parse_v6|is_ext_header|link_|mpc_decode|icmp_|decode_|dispatch_ethertype|by_version_nibble|by_address_family|mpls_stack|ppp_protocol|pppoe_session|sll_common|segment_type|known_length|fits_v0|fits_v1)/)
			st = "dissect"
		else if (sym ~ /^(owner|push_ev|sink_probe|sink_response|worker_event|worker_main|put_bytes|get_bytes|check_workers|spsc_|scan_part_|pthread_cond|__pthread_cond|futex|__futex|__lll_lock|pthread_mutex|sched_yield|__sched_yield)/)
			st = "route"
		else if (sym ~ /^(window_|sort_probes|radix_sort|stage_|addbuf_|answer_sets_add|scan_respsets_add|respsets_|target_set_|chunk_|target_chunk_add|lower_bound16|port_find|port_index|target_map|target_key|v4_word|v4_bytes|ensure_scratch|scan_probe_target|scan_response_target|swap_sets|fold)/)
			st = "set"
		else if (sym ~ /^(rec_|record_|recset_|scan_record|scan_add|add_probe|add_response|scan_payload|scan_pend|payload_from|log_response|probe_profile|profile_|prof_hash|scan_profile|scan_scanner|is_scanner|scan_file|scan_begin|same_as_last|bytes_equal|ts_offset|count_linktype|set_label|scan_flush|scan_drain|scan_finish|canonical_order|pend_cmp|rec_cmp|key_group|infer_probe_key|assign_verdicts|count_verdicts|verdict|abtest|kind_of|fingerprint_build|msort|qsort|on_packet)/)
			st = "record"
		else if (sym ~ /^(write_|csv_|fmt_|format_|_IO_|__vfprintf|__vsnprintf|vfprintf|snprintf|__strchrnul|fputc|fputs|putc|fwrite|target_sets_write|target_setfile|roaring|ra_|run_container|bitset_container|array_container|scan_state|state_|json_|manifest|atomic_file|outdir|inet_ntop|fingerprint_format|opt_name|append|__GI___fsync|fsync)/)
			st = "write"
		else if ($4 == "[k]")
			st = "kernel"
		t[st] += s; tot += s
	}
	END {
		k = 1e9 / f / n
		printf "%-40s %7.1f %7.1f %7.1f %7.1f %7.1f %7.1f %7.1f %7.1f %7.1f\n", label, tot * k, t["read"] * k,
			t["dissect"] * k, t["route"] * k, t["set"] * k, t["record"] * k, t["write"] * k, t["kernel"] * k,
			t["other"] * k
	}'
