/*
 * responder.h — what answers a probe: the TCP stack of a host (a few operating systems' SYN-ACK
 * options, initial TTL, window, DF and IP ID habits) and the keys and MP_CAPABLE options of real
 * MPTCP stacks and of the middleboxes that echo, flip, rewrite or share keys.
 */
#ifndef MPCAP_SAMPLES_GEN_RESPONDER_H
#define MPCAP_SAMPLES_GEN_RESPONDER_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "samples/gen/host.h"

struct gen;

enum os { OS_LINUX, OS_WINDOWS, OS_BSD, OS_EMBED, OS_NETDEV, OS_COUNT };
extern const uint8_t os_ttl[OS_COUNT];
extern const uint16_t os_win[OS_COUNT];

int host_os(const struct host *h);
/* SYN-ACK options of a stack, answering a SYN that carried timestamps with tsecr. */
size_t os_options(uint8_t *o, int os, uint32_t tsval, uint32_t tsecr);
bool os_df(int os);
uint16_t os_ipid(int os, uint64_t hid, uint64_t conn, int k);

/* A random key that none of the replay/modified rules could confuse with the probe key. */
uint64_t fresh_key(gsl_rng *r, uint64_t probe);
enum hdrchange { HC_FLAGS_A, HC_FLAGS_H, HC_VERSION };

int header_change(uint64_t hid);
/* The MP_CAPABLE option a box sends back (or passes on) for a probe option, per class. */
void box_option(const struct gen *g, const struct host *h, uint64_t probe_key, int *ver, uint8_t *flags,
                uint64_t *key);

#endif
