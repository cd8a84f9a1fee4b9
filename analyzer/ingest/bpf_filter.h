/* bpf_filter.h — pcap-filter(7) expressions applied to captured records.
 *
 * An expression is checked once when the filter is created (compiled for
 * DLT_EN10MB) and then compiled lazily for each link type it meets, since a
 * capture (pcapng) may mix link types.  Compilation and matching are
 * libpcap's (pcap_compile, pcap_offline_filter); the BPF semantics are those
 * of McCanne & Jacobson, "The BSD Packet Filter", USENIX 1993.
 */
#ifndef MPCAP_BPF_FILTER_H
#define MPCAP_BPF_FILTER_H

#include <stddef.h>
#include <stdint.h>

struct bpf_filter;

/* Returns a new filter, or NULL with libpcap's message in err (syntax error,
 * out of memory). */
struct bpf_filter *bpf_filter_new(const char *expr, char *err, size_t errlen);

/* Runs the filter on one record of link type dlt (a DLT_ value).  Returns 1
 * when it matches, 0 when it does not, -1 when the expression cannot be
 * compiled for that link type (err says which link type and why). */
int bpf_filter_match(struct bpf_filter *f, int dlt, const uint8_t *data, uint32_t caplen, uint32_t wirelen,
                     char *err, size_t errlen);

/* The expression the filter was created with. */
const char *bpf_filter_expr(const struct bpf_filter *f);

void bpf_filter_free(struct bpf_filter *f);

#endif
