// Id strategies of a table's primary key (CREATE TABLE ... WITH
// ID_STRATEGY = '...'): how a row inserted without a key value gets one.
//
//   AUTO_INCREMENT (default)  the SERIAL / identity sequences of catalog.h
//   UUID (= UUID_V7)          RFC 9562 version 7: 48-bit Unix milliseconds,
//                             then random bits; time-ordered, so inserts
//                             land at the end of the primary key's B+ tree
//   UUID_V4                   122 random bits; reveals nothing, but inserts
//                             land anywhere in the tree
//   SNOWFLAKE [MACHINE_ID=n]  64-bit: 41 bits of milliseconds since
//                             2020-01-01 UTC, 10 bits of machine id
//                             (0..1023), 12 bits of sequence; ordered by time
//                             and never repeated, even when the clock steps
//                             back (see NextSnowflakeId)
//
// UUIDs go into a text column as the 36-character canonical form or into a
// BLOB column as 16 bytes.
//
// Thread safety: functions are thread-safe (random bits come from a
// per-thread generator seeded from std::random_device; version 7 UUIDs
// share one process-wide counter under a mutex).
#pragma once

#include <cstdint>
#include <string>

namespace neuroquantum::exec {

inline constexpr int64_t kSnowflakeEpochMs = 1577836800000;  // 2020-01-01T00:00:00Z
inline constexpr uint32_t kMaxMachineId = 1023;

// The 16 bytes of a new UUID: version 7 at `unix_ms`, or version 4.
// Version 7 UUIDs of one process strictly increase, also within one
// millisecond and when the clock steps back (RFC 9562's monotonic random
// method).
std::string NewUuidV7(int64_t unix_ms);
std::string NewUuidV4();
// "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", lower-case hex.
std::string FormatUuid(const std::string& bytes);

// The Snowflake id to hand out after `last` (the previous one, 0 if none)
// at wall-clock time `now_ms` (Unix milliseconds) on `machine`: the id of
// the current millisecond when it exceeds `last`; otherwise (the same
// millisecond again, or the clock stepped back) `last` + 1, moved to the
// start of the next millisecond when its 12-bit sequence is used up. So
// ids strictly increase, keep the machine's bits, and a clock that steps
// back makes them run ahead of it until it catches up.
int64_t NextSnowflakeId(int64_t last, int64_t now_ms, uint32_t machine);

}  // namespace neuroquantum::exec
