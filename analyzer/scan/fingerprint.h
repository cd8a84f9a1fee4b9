/* fingerprint.h — what a SYN-ACK did with the probe's TCP options, option
 * by option: the middlebox fingerprint of targets.csv and fingerprints.csv.
 *
 * Each option of the probe (RFC 9293 §3.1; EOL and NOP left out) is looked
 * up in the SYN-ACK by kind, in order, and named with what came back:
 *   echo  the same bytes (timestamps, RFC 7323: TSecr 0, as copied from a
 *         SYN, whose TSecr is 0; a host answering writes the SYN's TSval there)
 *   diff  the option, with other bytes (a host's own value, or a changed one)
 *   nop   timestamps only: gone, and the SYN-ACK carries at least 10 more NOP
 *         bytes than the probe (the option overwritten with NOPs)
 *   drop  gone
 * then each option of the SYN-ACK the probe did not carry: NAME=new.
 * Names: mss, ws, sack, ts, mpc (option 30, RFC 6824/8684), tfo (34,
 * RFC 7413), md5 (19), ao (29), else optN.  Example:
 * mss=echo,sack=echo,ts=nop,ws=echo,mpc=echo.  The verdict rules (verdict.h)
 * do not read it: it describes how an answer differs, the verdict decides.
 */
#ifndef MPCAP_FINGERPRINT_H
#define MPCAP_FINGERPRINT_H

#include <stddef.h>

#include "analyzer/scan/scan.h"

/* Room for the longest: a 40-byte option area holds at most 40 options
 * (probe and answer together 80 entries, in practice far fewer), an entry is
 * at most 12 characters; a longer one is cut. */
#define FINGERPRINT_MAX 1024

/* Writes the fingerprint of target t's SYN-ACK against probe p into buf
 * (empty when t is no SYN-ACK or the probe's options are unknown). */
void fingerprint_format(const struct probe_profile *p, const struct scan_target *t, char *buf, size_t buflen);

#endif
