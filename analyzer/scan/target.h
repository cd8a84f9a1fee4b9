/* target.h — scan targets, the whole family in one include: the key
 * (target_key.h), the hash map over it (target_map.h), the exact set
 * (target_set.h) and its file DIR/targets.sets (target_setfile.h).  A module
 * that needs one of them includes that one.  Targets: RFC 9293 (a TCP port
 * on an RFC 791 or RFC 8200 address).
 */
#ifndef MPCAP_TARGET_H
#define MPCAP_TARGET_H

#include "analyzer/scan/target_key.h"
#include "analyzer/scan/target_map.h"
#include "analyzer/scan/target_set.h"
#include "analyzer/scan/target_setfile.h"

#endif
