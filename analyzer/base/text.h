/* text.h — parsing and formatting of keys, times and sizes (text.c). */
#ifndef MPCAP_TEXT_H
#define MPCAP_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses 16 hex digits (optionally 0x-prefixed); false when malformed. */
bool parse_hex64(const char *s, uint64_t *out);
/* Parses a key exactly as format_key() writes it (16 lowercase hex digits,
 * nothing else), as results files hold them; false otherwise. */
bool parse_key(const char *s, uint64_t *out);
/* Formats a 64-bit key as 16 lowercase hex digits. */
void format_key(uint64_t key, char buf[17]);
/* Parses a memory size: a number of bytes, or of KiB, MiB, GiB with the
 * suffix K, M, G (optionally followed by "iB" or "B"); false when malformed,
 * zero or over 2^62. */
bool parse_mem_size(const char *s, uint64_t *out);
/* Formats seconds + nanoseconds as "S.NNNNNNNNN". */
void format_time(int64_t sec, uint32_t nsec, char *buf, size_t n);

#endif
